/**
 * Keeps one account's access token fresh: refreshed ahead of expiry (when the owner's alarm
 * for `schedule` fires: an MV3 background sleeps, and its timers with it), on demand when a
 * due token is asked for (the alarm came late, or the worker slept through it), and once more
 * when the server refuses the token anyway. One refresh at a time: concurrent callers share it. A refresh the server refuses (`invalid_grant`: revoked, expired, consent
 * withdrawn) is final: the keeper stops asking, so there is no retry loop, until the user
 * signs in again and a new keeper takes over. A rotated refresh token is saved before the new
 * access token is used, so a worker stopped in between never holds a token it did not save.
 */
import { needsSignIn, OAuthError } from './errors.ts';
import type { TokenSet } from './tokens.ts';

/**
 * How long before expiry a token is refreshed: a minute (a sync started with the token must
 * finish logging in before it expires, and clocks drift), but at most half its lifetime, so a
 * short-lived token (10 s in the tests) is not refreshed at once forever.
 */
export const REFRESH_AHEAD_MS = 60_000;

/** When `tokens` should be refreshed, in ms since the epoch. */
export function refreshDueAt(tokens: Pick<TokenSet, 'issuedAt' | 'expiresAt'>): number {
  const lifetime = Math.max(0, tokens.expiresAt - tokens.issuedAt);
  return tokens.expiresAt - Math.min(REFRESH_AHEAD_MS, lifetime / 2);
}

/** What a keeper needs from outside. */
export interface TokenKeeperDeps {
  /** Asks the token endpoint for new tokens with the refresh token. */
  refresh(refreshToken: string): Promise<TokenSet>;
  /** Stores new tokens (the refresh token as a secret) before they are used. */
  save(tokens: TokenSet): Promise<void>;
  /** The clock, in ms since the epoch. */
  now(): number;
  /**
   * Told when the next refresh ahead of expiry is due (ms since the epoch), and null when there
   * is none (refused for good, or stopped). The owner then calls `refreshIfDue()` (from an
   * alarm, which survives the worker). Without it, refreshes happen on demand only.
   */
  schedule?(at: number | null): void;
  /** Told once when a refresh is refused for good (to show "Sign in again"). */
  onSignInNeeded?(error: OAuthError): void;
}

/** One account's tokens and the rules for refreshing them. */
export class TokenKeeper {
  private tokens: TokenSet;
  private inFlight: Promise<TokenSet> | null = null;
  private refused: OAuthError | null = null;
  private stopped = false;

  constructor(
    private readonly deps: TokenKeeperDeps,
    initial: TokenSet,
  ) {
    this.tokens = initial;
    this.schedule();
  }

  /** The refresh that was refused for good, if one was. */
  get signInNeeded(): OAuthError | null {
    return this.refused;
  }

  /** The current tokens (for tests and saving). */
  get current(): Readonly<TokenSet> {
    return this.tokens;
  }

  /** A usable access token: the current one, or a new one when it is due for refresh. */
  async accessToken(): Promise<string> {
    // Refused for good: the sign-in is gone, even if the last access token has seconds left.
    if (this.refused) throw this.refused;
    if (this.deps.now() >= refreshDueAt(this.tokens)) return (await this.refresh()).accessToken;
    return this.tokens.accessToken;
  }

  /**
   * Runs `job` with an access token; when it fails with an authentication error (as
   * `isAuthFailure` decides), refreshes once and runs it again. A second failure is returned
   * as it is: the server refuses fresh tokens too, and asking again will not change that.
   */
  async withToken<T>(
    job: (accessToken: string) => Promise<T>,
    isAuthFailure: (error: unknown) => boolean,
  ): Promise<T> {
    const used = await this.accessToken();
    try {
      return await job(used);
    } catch (error) {
      if (!isAuthFailure(error)) throw error;
      // Another caller may have refreshed meanwhile: then its token is the one to try.
      const fresh =
        this.tokens.accessToken !== used ? this.tokens.accessToken : (await this.refresh()).accessToken;
      return job(fresh);
    }
  }

  /** The refresh under way, if one is (settled, never rejecting). */
  get pending(): Promise<unknown> | null {
    return this.inFlight?.catch(() => {}) ?? null;
  }

  /** Refreshes now; concurrent callers share one request. Refused for good: the same error every time, no request. */
  refresh(): Promise<TokenSet> {
    if (this.refused) return Promise.reject(this.refused);
    this.inFlight ??= this.doRefresh().finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  /**
   * The refresh ahead of expiry (the owner's alarm fired): refreshes when due, else tells
   * `schedule` the time again (an alarm that fired early, or one left from older tokens).
   * Never rejects: a failure is met again by the next caller of accessToken(), which retries.
   */
  async refreshIfDue(): Promise<void> {
    if (this.stopped || this.refused) return;
    if (this.deps.now() < refreshDueAt(this.tokens)) {
      this.schedule();
      return;
    }
    await this.refresh().catch(() => {});
  }

  /** Stops scheduling (account removed or signed in again); the owner clears its alarm. */
  stop(): void {
    this.stopped = true;
  }

  private async doRefresh(): Promise<TokenSet> {
    const refreshToken = this.tokens.refreshToken;
    if (refreshToken === null) {
      throw this.refuse(new OAuthError('invalid_grant', 'the server gave no refresh token: sign in again'));
    }
    let next: TokenSet;
    try {
      next = await this.deps.refresh(refreshToken);
    } catch (error) {
      if (needsSignIn(error)) throw this.refuse(error as OAuthError);
      // Offline or a server hiccup: the next sync tries again.
      throw error;
    }
    await this.deps.save(next);
    this.tokens = next;
    this.schedule();
    return next;
  }

  private refuse(error: OAuthError): OAuthError {
    if (!this.refused) {
      this.refused = error;
      if (!this.stopped) this.deps.schedule?.(null);
      this.deps.onSignInNeeded?.(error);
    }
    return this.refused;
  }

  /** Tells the owner when the next refresh is due (none without a refresh token: nothing to refresh with). */
  private schedule(): void {
    if (this.stopped || this.refused) return;
    this.deps.schedule?.(this.tokens.refreshToken === null ? null : refreshDueAt(this.tokens));
  }
}
