/**
 * The OAuth client's one error class (STYLE.md convention 6): a `code` from a closed union,
 * each documented here. Messages are built from the code, the endpoint's origin and the
 * server's `error`/`error_description` (printable, cut short); never from a token, a code, a
 * verifier or a response body.
 */

export type OAuthErrorCode =
  /** The issuer URL is not a URL, not https (plain http only on a loopback address), or has a query or fragment. */
  | 'bad_issuer'
  /** The discovery document names another issuer than the one asked for (RFC 8414 §3.3, OIDC Discovery §4.3). */
  | 'issuer_mismatch'
  /** The discovery document is not JSON, lacks a required endpoint, or names an endpoint that is not https. */
  | 'bad_metadata'
  /** The server offers no S256 PKCE, no authorization code grant, or no refresh: a public client cannot use it. */
  | 'unsupported'
  /** No client ID: none in the build for this provider and none entered. Nothing was sent. */
  | 'no_client_id'
  /** fetch failed (offline, DNS, TLS, or refused by CORS): no HTTP answer at all. */
  | 'network'
  /** An HTTP answer that is not an OAuth answer: a status other than 200/400/401, or a body that is not JSON. */
  | 'http'
  /** A 200 token response without what RFC 6749 §5.1 requires (access_token, token_type Bearer). */
  | 'bad_response'
  /**
   * The server refused the grant (RFC 6749 §5.2 `invalid_grant`): the refresh token is revoked,
   * expired, or consent was withdrawn; or the code was used or expired. The user must sign in again.
   */
  | 'invalid_grant'
  /** The server does not know the client (`invalid_client`, `unauthorized_client`): a wrong client ID. */
  | 'invalid_client'
  /** The user or the server said no at the authorization page (`access_denied`, RFC 6749 §4.1.2.1). */
  | 'access_denied'
  /**
   * The sign-in window ended without reaching the redirect URI: the user closed it (perhaps on
   * the provider's own error page: a wrong client ID or an unregistered redirect URI), or its
   * page did not load.
   */
  | 'cancelled'
  /** The redirect's `state` is missing or not ours (RFC 6749 §10.12): a forged or stale redirect. */
  | 'state_mismatch'
  /** Any other OAuth error the server named (`invalid_scope`, `server_error`, …), in `oauthError`. */
  | 'server_error';

/** Details that travel with an OAuthError. */
export interface OAuthErrorDetails {
  /** The server's RFC 6749 `error` value, when it sent one. */
  oauthError?: string;
  /** HTTP status, when the error comes from a response. */
  status?: number;
  cause?: unknown;
}

/** A failure of the OAuth client; see OAuthErrorCode for what each code means. */
export class OAuthError extends Error {
  override readonly name = 'OAuthError';
  readonly oauthError: string | undefined;
  readonly status: number | undefined;

  constructor(
    readonly code: OAuthErrorCode,
    message: string,
    details: OAuthErrorDetails = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.oauthError = details.oauthError;
    this.status = details.status;
  }
}

/** Codes after which retrying with the same refresh token cannot help: the user must sign in again. */
export function needsSignIn(error: unknown): boolean {
  return error instanceof OAuthError && (error.code === 'invalid_grant' || error.code === 'invalid_client');
}

/** Longest piece of server text put in a message: enough to read, too little to flood a log. */
const MAX_SERVER_TEXT = 120;

/** Server text made safe for an error message: control characters dropped, cut short. */
export function serverText(value: unknown): string {
  if (typeof value !== 'string') return '';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: dropping control characters is the point
  const clean = value.replace(/[\x00-\x1f\x7f]/g, ' ').trim();
  return clean.length > MAX_SERVER_TEXT ? `${clean.slice(0, MAX_SERVER_TEXT)}…` : clean;
}
