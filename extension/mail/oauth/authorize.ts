/**
 * The authorization request and its redirect (RFC 6749 §4.1.1-§4.1.2) with PKCE S256 and
 * `state`. Building the URL and reading the redirect are pure; opening the window is the
 * browser's (platform.ts wraps identity.launchWebAuthFlow).
 */
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
  if (error !== null) {
    const description = serverText(params.get('error_description'));
    const code =
      error === 'access_denied'
        ? 'access_denied'
        : error === 'unauthorized_client'
          ? 'invalid_client'
          : 'server_error';
    throw new OAuthError(
      code,
      `sign-in refused: ${serverText(error)}${description ? ` (${description})` : ''}`,
      {
        oauthError: serverText(error),
      },
    );
  }
  const code = params.get('code');
  if (!code) throw new OAuthError('server_error', 'the sign-in answer has no authorization code');
  return code;
}
