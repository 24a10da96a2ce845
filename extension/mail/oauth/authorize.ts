/**
 * The authorization request and its redirect (RFC 6749 §4.1.1-§4.1.2) with PKCE S256 and
 * `state`. Building the URL and reading the redirect are pure; opening the window is the
 * browser's (platform.ts wraps identity.launchWebAuthFlow).
 */
import { redactText } from '../redact.ts';
import { OAuthError, serverText } from './errors.ts';
import { challengeS256, newState, newVerifier, sameState } from './pkce.ts';

/** What to ask for. */
export interface AuthorizationParams {
  authorizationEndpoint: string;
  clientId: string;
  redirectUri: string;
  scopes: readonly string[];
  /** The address the user typed, so the provider's page can preselect the account. */
  loginHint?: string;
  /** Provider-specific parameters (Google's access_type=offline, prompt=consent). */
  extraParams?: Readonly<Record<string, string>>;
}

/** An authorization request ready to open, with what is needed to finish it. */
export interface AuthorizationRequest {
  url: string;
  state: string;
  verifier: string;
  redirectUri: string;
}

/** Builds the authorization URL with a fresh state and verifier. */
export async function buildAuthorizationRequest(params: AuthorizationParams): Promise<AuthorizationRequest> {
  if (params.clientId.trim() === '') throw new OAuthError('no_client_id', 'no client ID for this provider');
  const state = newState();
  const verifier = newVerifier();
  const url = new URL(params.authorizationEndpoint);
  const query: Record<string, string> = {
    ...params.extraParams,
    response_type: 'code',
    client_id: params.clientId.trim(),
    redirect_uri: params.redirectUri,
    scope: params.scopes.join(' '),
    state,
    code_challenge: await challengeS256(verifier),
    code_challenge_method: 'S256',
    ...(params.loginHint ? { login_hint: params.loginHint } : {}),
  };
  for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
  return { url: url.href, state, verifier, redirectUri: params.redirectUri };
}

/**
 * Reads the redirect the sign-in window ended on: the code when the state is ours, else a
 * typed error. `issuer`, when given, is checked against RFC 9207's `iss` if the server sent one
 * (a mix-up attack sends us another server's redirect).
 */
export function parseRedirect(redirectUrl: string, request: AuthorizationRequest, issuer?: string): string {
  let url: URL;
  try {
    url = new URL(redirectUrl);
  } catch {
    throw new OAuthError('server_error', 'the sign-in ended on an address that is not a URL');
  }
  // The code flow answers in the query (RFC 6749 §4.1.2); some servers use the fragment.
  const params = url.search ? url.searchParams : new URLSearchParams(url.hash.slice(1));
  if (!sameState(request.state, params.get('state'))) {
    throw new OAuthError('state_mismatch', 'the sign-in answer does not belong to this sign-in');
  }
  const iss = params.get('iss');
  if (issuer !== undefined && iss !== null && iss.replace(/\/$/, '') !== issuer.replace(/\/$/, '')) {
    throw new OAuthError('issuer_mismatch', 'the sign-in answer comes from another server');
  }
  const error = params.get('error');
  if (error !== null)
    throw redirectError(error, params.get('error_description'), request, params.get('code'));
  const code = params.get('code');
  if (!code) throw new OAuthError('server_error', 'the sign-in answer has no authorization code');
  return code;
}

/**
 * The provider redirected back with `error=` (RFC 6749 §4.1.2.1): it refused, and says why in
 * its own words. Those are shown, made printable and cut short (serverText), and never carry
 * this sign-in's state, verifier or a code, should a server echo them.
 */
function redirectError(
  error: string,
  description: string | null,
  request: AuthorizationRequest,
  code: string | null,
): OAuthError {
  const secrets = [request.state, request.verifier, ...(code ? [code] : [])].map((secret) => ({ secret }));
  const name = serverText(redactText(error, secrets));
  const said = serverText(redactText(description ?? '', secrets));
  const kind =
    error === 'access_denied'
      ? 'access_denied'
      : error === 'unauthorized_client'
        ? 'invalid_client'
        : 'server_error';
  return new OAuthError(
    kind,
    `the authorization server refused the sign-in: ${name || 'no reason given'}${said ? ` (${said})` : ''}`,
    { oauthError: name },
  );
}

/**
 * The error for a sign-in window that ended without reaching the redirect URI, which the
 * browser cannot explain: the user closed it, or the provider showed its own error page and
 * the user closed that (a provider that does not know the client ID or the redirect URI must
 * not redirect, RFC 6749 §4.1.2.1), or the page did not load (Chrome's "Authorization page
 * could not be loaded.", Firefox's "Invalid request"). The message says so honestly, and
 * what to check, with the redirect URI to register.
 */
export function windowEndedError(cause: unknown, redirectUri: string): OAuthError {
  const reason =
    cause instanceof Error
      ? cause.message
      : typeof cause === 'object' && cause !== null && 'message' in cause
        ? String((cause as { message: unknown }).message)
        : '';
  const register = `the Client ID and that the redirect URI ${redirectUri} is registered for it`;
  const message = /could not be loaded|invalid request/i.test(reason)
    ? `the sign-in page did not load. Check the Authorization server, ${register}`
    : `the sign-in window was closed before the sign-in finished. If the authorization server showed an error there, check ${register}`;
  return new OAuthError('cancelled', message, { cause });
}
