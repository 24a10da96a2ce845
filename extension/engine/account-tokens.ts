/**
 * The access tokens of OAuth accounts: one TokenKeeper per account, made from the tokens the
 * settings store keeps, refreshing through the account's token endpoint and saving every new
 * set (with a rotated refresh token) before it is used. A refresh the server refuses is
 * remembered in storage (the refresh token is dropped), so a restarted worker does not ask
 * again, and reported once, for the "Sign in again" notice.
 */
import type { Account } from '../accounts.ts';
import { OAuthError } from '../mail/oauth/errors.ts';
import type { Fetch } from '../mail/oauth/http.ts';
import { TokenKeeper } from '../mail/oauth/token-keeper.ts';
import { refreshTokens, revokeToken } from '../mail/oauth/tokens.ts';
import type { Timers } from '../mail/pop3/timers.ts';
import type { SettingsStore } from '../store/settings.ts';

export interface AccountTokensDeps {
  settings: SettingsStore;
  fetch: Fetch;
  now: () => number;
  /** For refreshing ahead of expiry while the worker lives; on demand only without. */
  timers?: Timers;
  /** A refresh was refused for good: the user must sign in again. Called once per refusal. */
  onSignInNeeded(accountId: string, error: OAuthError): void;
}

/** The error for an account whose sign-in is gone (refused earlier, or never completed). */
function signedOut(): OAuthError {
  return new OAuthError('invalid_grant', 'the sign-in is no longer valid: sign in again');
}

export class AccountTokens {
  private readonly keepers = new Map<string, Promise<TokenKeeper>>();

  constructor(private readonly deps: AccountTokensDeps) {}

  /** A current access token for `account` (which must have `auth`), refreshed when due. */
  async accessToken(account: Account): Promise<string> {
    return (await this.keeper(account)).accessToken();
  }

  /** Refreshes now, after the server refused the access token (the one retry). */
  async refresh(account: Account): Promise<string> {
    return (await (await this.keeper(account)).refresh()).accessToken;
  }

  /** Forgets the account's keeper (signed in again, or removed); the next use reads storage again. */
  forget(accountId: string): void {
    const keeper = this.keepers.get(accountId);
    this.keepers.delete(accountId);
    void keeper?.then((k) => k.stop()).catch(() => {});
  }

  /** Stops every keeper's timer (the engine stops). */
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
    const auth = account.auth;
    const stored = await this.deps.settings.getTokens(account.id);
    if (!auth || !stored) throw signedOut();
    const { settings, fetch, now, timers } = this.deps;
    const client = { tokenEndpoint: auth.tokenEndpoint, clientId: auth.clientId };
    let refused = false;
    return new TokenKeeper(
      {
        refresh: (refreshToken) => refreshTokens(fetch, client, refreshToken, now),
        save: async (tokens) => {
          await settings.saveTokens(account.id, tokens);
        },
        now,
        ...(timers ? { timers } : {}),
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
