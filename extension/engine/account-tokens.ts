/**
 * The access tokens of OAuth accounts: one TokenKeeper per account, made from the tokens the
 * settings store keeps, refreshing through the account's token endpoint and saving every new
 * set (with a rotated refresh token) before it is used. A refresh the server refuses is
 * remembered in storage (the refresh token is dropped), so a restarted worker does not ask
 * again, and reported once, for the "Sign in again" notice.
 *
 * The refresh ahead of expiry is an alarm per account (`schedule`), not a timer: an MV3
 * background sleeps between events and its timers die with it. `arm` sets it from the stored
 * expiry at start-up, the keeper moves it after every refresh, `forget` clears it.
 */
import type { Account } from '../accounts.ts';
import { OAuthError } from '../mail/oauth/errors.ts';
import type { Fetch } from '../mail/oauth/http.ts';
import { TokenKeeper } from '../mail/oauth/token-keeper.ts';
import { refreshTokens, revokeToken } from '../mail/oauth/tokens.ts';
import type { SettingsStore } from '../store/settings.ts';

export interface AccountTokensDeps {
  settings: SettingsStore;
  fetch: Fetch;
  now: () => number;
  /**
   * Sets (a time, ms since the epoch) or clears (null) the account's alarm for its refresh
   * ahead of expiry; when it fires, the owner calls `refreshIfDue`. On demand only without.
   */
  schedule?(accountId: string, at: number | null): void;
  /** A refresh was refused for good: the user must sign in again. Called once per refusal. */
  onSignInNeeded(accountId: string, error: OAuthError): void;
}

/** The error for an account whose sign-in is gone (refused earlier, or never completed). */
function signedOut(): OAuthError {
  return new OAuthError('invalid_grant', 'the sign-in is no longer valid: sign in again');
}

export class AccountTokens {
  private readonly keepers = new Map<string, Promise<TokenKeeper>>();
  /**
   * Per account, the refresh of a forgotten keeper still under way: a new keeper reads the
   * stored tokens only after it, so it never sends the refresh token that refresh is rotating
   * away (a reused refresh token can get the whole grant revoked, RFC 9700 §4.14.2).
   */
  private readonly settling = new Map<string, Promise<unknown>>();

  constructor(private readonly deps: AccountTokensDeps) {}

  /** A current access token for `account` (which must have `auth`), refreshed when due. */
  async accessToken(account: Account): Promise<string> {
    return (await this.keeper(account)).accessToken();
  }

  /** Refreshes now, after the server refused the access token (the one retry). */
  async refresh(account: Account): Promise<string> {
    return (await (await this.keeper(account)).refresh()).accessToken;
  }

  /**
   * Sets the account's alarm from its stored tokens (at start-up: the alarm of an earlier
   * worker may be gone or stale). Never rejects: no tokens (locked, signed out) sets none.
   */
  async arm(account: Account): Promise<void> {
    await this.keeper(account).catch(() => {});
  }

  /** The account's alarm fired: refreshes its token when due (never rejects). */
  async refreshIfDue(account: Account): Promise<void> {
    try {
      await (await this.keeper(account)).refreshIfDue();
    } catch {
      // No tokens (locked, signed out): nothing to refresh; the next check says why.
    }
  }

  /**
   * Forgets the account's keeper and clears its alarm (signed in again, removed, or the engine
   * stops); the next use reads storage again, after any refresh the old keeper has under way.
   */
  forget(accountId: string): void {
    // Cleared even without a keeper here: the alarm may be an earlier worker's.
    this.deps.schedule?.(accountId, null);
    const keeper = this.keepers.get(accountId);
    if (!keeper) return;
    this.keepers.delete(accountId);
    const settled = keeper
      .then((k) => {
        k.stop();
        return k.pending;
      })
      .catch(() => {})
      .finally(() => {
        if (this.settling.get(accountId) === settled) this.settling.delete(accountId);
      });
    this.settling.set(accountId, settled);
  }

  /** Forgets every keeper (the engine stops). */
  stopAll(): void {
    for (const id of [...this.keepers.keys()]) this.forget(id);
  }

  /**
   * Revokes the account's refresh token (RFC 7009) when its server offers revocation: called
   * before the account is removed. Best effort: offline or refused, the removal goes on.
   */
  async revoke(account: Account): Promise<boolean> {
    this.forget(account.id);
    const endpoint = account.auth?.revocationEndpoint;
    const tokens = await this.deps.settings.getTokens(account.id);
    if (!account.auth || !endpoint || !tokens) return false;
    const token = tokens.refreshToken ?? tokens.accessToken;
    try {
      await revokeToken(
        this.deps.fetch,
        endpoint,
        account.auth.clientId,
        token,
        tokens.refreshToken ? 'refresh_token' : 'access_token',
      );
      return true;
    } catch {
      return false;
    }
  }

  private keeper(account: Account): Promise<TokenKeeper> {
    let keeper = this.keepers.get(account.id);
    if (!keeper) {
      keeper = this.makeKeeper(account);
      this.keepers.set(account.id, keeper);
      keeper.catch(() => this.keepers.delete(account.id));
    }
    return keeper;
  }

  private async makeKeeper(account: Account): Promise<TokenKeeper> {
    await this.settling.get(account.id);
    const auth = account.auth;
    const stored = await this.deps.settings.getTokens(account.id);
    if (!auth || !stored) throw signedOut();
    const { settings, fetch, now } = this.deps;
    const made = this.keepers.get(account.id);
    const client = { tokenEndpoint: auth.tokenEndpoint, clientId: auth.clientId };
    let refused = false;
    return new TokenKeeper(
      {
        refresh: (refreshToken) => refreshTokens(fetch, client, refreshToken, now),
        save: async (tokens) => {
          await settings.saveTokens(account.id, tokens);
        },
        now,
        // Only the account's current keeper moves its alarm: a forgotten one's word is stale.
        schedule: (at) => {
          if (this.keepers.get(account.id) === made) this.deps.schedule?.(account.id, at);
        },
        onSignInNeeded: (error) => {
          if (refused) return;
          refused = true;
          // Forget the refused refresh token, so no later worker sends it again.
          void settings
            .getTokens(account.id)
            .then((current) =>
              current ? settings.saveTokens(account.id, { ...current, refreshToken: null }) : false,
            )
            .catch(() => {});
          // A refresh token that was already gone was reported when it went.
          if (stored.refreshToken !== null) this.deps.onSignInNeeded(account.id, error);
        },
      },
      stored,
    );
  }
}
