/**
 * The token endpoint (RFC 6749 §4.1.3, §6) and revocation (RFC 7009) for a public client: the
 * client ID travels in the body, there is no secret, and PKCE's verifier proves the code is ours.
 */
import type { OAuthTokens } from '../../accounts.ts';
import { OAuthError, type OAuthErrorCode, serverText } from './errors.ts';
import { type Fetch, member, originOf, requestJson } from './http.ts';

/**
 * What a sign-in or refresh leaves us (times in ms since the epoch); after a refresh without
 * rotation, the refresh token we had. The shape the settings store keeps as a secret.
 */
export type TokenSet = OAuthTokens;

/**
 * Lifetime assumed when a response has no `expires_in` (RFC 6749 §5.1 only recommends it): an
 * hour is what Google and Microsoft give, and an auth failure sooner still triggers a refresh.
 */
export const DEFAULT_LIFETIME_S = 3600;
/** Longest lifetime believed: a server saying "a year" must not stop us refreshing for a year. */
export const MAX_LIFETIME_S = 24 * 3600;

/** OAuth `error` values (RFC 6749 §5.2) and what they mean to us. */
const ERROR_CODES: Readonly<Record<string, OAuthErrorCode>> = {
  invalid_grant: 'invalid_grant',
  invalid_client: 'invalid_client',
  unauthorized_client: 'invalid_client',
  access_denied: 'access_denied',
};

/** The OAuthError for an error answer of a token or revocation endpoint. */
function errorAnswer(url: string, status: number, json: unknown, what: string): OAuthError {
  const error = member(json, 'error');
  if (typeof error !== 'string') {
    return new OAuthError('http', `${originOf(url)} answered ${status} to the ${what}`, { status });
  }
  const description = serverText(member(json, 'error_description'));
  const code = ERROR_CODES[error] ?? 'server_error';
  const named = serverText(error);
  return new OAuthError(
    code,
    `${originOf(url)} refused the ${what}: ${named}${description ? ` (${description})` : ''}`,
    { status, oauthError: named },
  );
}

function lifetimeSeconds(value: unknown): number {
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (n === undefined) return DEFAULT_LIFETIME_S;
  if (typeof n !== 'number' || !Number.isFinite(n) || n <= 0) {
    throw new OAuthError('bad_response', 'the token response has an invalid expires_in');
  }
  return Math.min(n, MAX_LIFETIME_S);
}

/**
 * Reads a token response (RFC 6749 §5.1). `previousRefreshToken` stays when the server did
 * not rotate it (§6: it MAY issue a new one, and then the old one may stop working).
 */
export function parseTokenResponse(
  json: unknown,
  now: number,
  previousRefreshToken: string | null = null,
): TokenSet {
  const accessToken = member(json, 'access_token');
  const tokenType = member(json, 'token_type');
  if (typeof accessToken !== 'string' || accessToken === '') {
    throw new OAuthError('bad_response', 'the token response has no access_token');
  }
  if (typeof tokenType !== 'string' || tokenType.toLowerCase() !== 'bearer') {
    throw new OAuthError('bad_response', 'the token response is not a Bearer token');
  }
  const refresh = member(json, 'refresh_token');
  if (refresh !== undefined && (typeof refresh !== 'string' || refresh === '')) {
    throw new OAuthError('bad_response', 'the token response has an invalid refresh_token');
  }
  const scope = member(json, 'scope');
  return {
    accessToken,
    issuedAt: now,
    expiresAt: now + lifetimeSeconds(member(json, 'expires_in')) * 1000,
    refreshToken: typeof refresh === 'string' ? refresh : previousRefreshToken,
    scope: typeof scope === 'string' ? scope : null,
  };
}

async function postForm(fetchFn: Fetch, url: string, form: Record<string, string>) {
  return requestJson(fetchFn, url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
}

/** Where a public client's token requests go. */
export interface TokenClient {
  tokenEndpoint: string;
  clientId: string;
}

/** What a code exchange gives: the tokens, and the ID token when the server sent one (OpenID). */
export interface CodeExchange {
  tokens: TokenSet;
  /** Unverified: for showing who signed in, never for deciding anything. */
  idToken: string | null;
}

/** Trades an authorization code for tokens (RFC 6749 §4.1.3 with RFC 7636 §4.5's verifier). */
export async function exchangeCode(
  fetchFn: Fetch,
  client: TokenClient,
  grant: { code: string; redirectUri: string; verifier: string },
  now: () => number = Date.now,
): Promise<CodeExchange> {
  const answer = await postForm(fetchFn, client.tokenEndpoint, {
    grant_type: 'authorization_code',
    code: grant.code,
    redirect_uri: grant.redirectUri,
    client_id: client.clientId,
    code_verifier: grant.verifier,
  });
  if (answer.status !== 200) throw errorAnswer(client.tokenEndpoint, answer.status, answer.json, 'sign-in');
  const idToken = member(answer.json, 'id_token');
  return {
    tokens: parseTokenResponse(answer.json, now()),
    idToken: typeof idToken === 'string' ? idToken : null,
  };
}

/** Gets a new access token with the refresh token (RFC 6749 §6); keeps the old refresh token unless rotated. */
export async function refreshTokens(
  fetchFn: Fetch,
  client: TokenClient,
  refreshToken: string,
  now: () => number = Date.now,
): Promise<TokenSet> {
  const answer = await postForm(fetchFn, client.tokenEndpoint, {
    grant_type: 'refresh_token',
    refresh_token: refreshToken,
    client_id: client.clientId,
  });
  if (answer.status !== 200)
    throw errorAnswer(client.tokenEndpoint, answer.status, answer.json, 'token refresh');
  return parseTokenResponse(answer.json, now(), refreshToken);
}

/**
 * Revokes a token (RFC 7009 §2.1). 200 means gone, also for a token the server did not know
 * (§2.2), so removing an account twice is not an error.
 */
export async function revokeToken(
  fetchFn: Fetch,
  revocationEndpoint: string,
  clientId: string,
  token: string,
  hint: 'refresh_token' | 'access_token' = 'refresh_token',
): Promise<void> {
  const answer = await postForm(fetchFn, revocationEndpoint, {
    token,
    token_type_hint: hint,
    client_id: clientId,
  });
  if (answer.status !== 200) throw errorAnswer(revocationEndpoint, answer.status, answer.json, 'revocation');
}
