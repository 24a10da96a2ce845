/**
 * One OAuth 2.0 sign-in (the account editor's "Sign in"): the endpoints (built in for Google
 * and Microsoft, discovered for another issuer), an authorization request with PKCE and state,
 * the browser's sign-in window (platform.ts wraps identity.launchWebAuthFlow; tests pass their
 * own), the redirect checked, and the code exchanged. Nothing is stored here: the caller keeps
 * the tokens until the account is saved.
 */
import type { OAuthSignIn, OAuthTokens } from '../accounts.ts';
import { buildAuthorizationRequest, parseRedirect, windowEndedError } from '../mail/oauth/authorize.ts';
import { discover, parseIssuer } from '../mail/oauth/discovery.ts';
import { OAuthError } from '../mail/oauth/errors.ts';
import type { Fetch } from '../mail/oauth/http.ts';
import { CUSTOM_EXTRA_PARAMS, customScopes, knownProviderByIssuer } from '../mail/oauth/providers.ts';
import { exchangeCode } from '../mail/oauth/tokens.ts';

export interface SignInDeps {
  fetch: Fetch;
  /**
   * Opens the sign-in page at `url` and resolves with the URL it finally redirected to (the
   * redirect URI with the code), or rejects when the user closed it.
   */
  launch(url: string): Promise<string>;
  /** This browser's redirect URI for the extension (identity.getRedirectURL()). */
  redirectUri: string;
  now?: () => number;
}

export interface SignInRequest {
  /** The issuer URL as typed (or filled in for a known provider). */
  issuer: string;
  /** The client ID as typed; empty: the build's, for a known provider. */
  clientId: string;
  /** The address the user typed: preselects the account on the provider's page. */
  loginHint?: string;
}

export interface SignInResult {
  auth: OAuthSignIn;
  tokens: OAuthTokens;
  /** Who signed in, for the editor to show: the ID token's address when there is one, else the hint. */
  signedInAs: string;
}

/** Who an ID token names (display only: the mail server decides who the token is for). */
function idTokenName(idToken: string | null): string | null {
  if (idToken === null) return null;
  try {
    const payload = JSON.parse(atob(idToken.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/'))) as Record<
      string,
      unknown
    >;
    for (const key of ['email', 'preferred_username', 'upn']) {
      if (typeof payload[key] === 'string' && payload[key] !== '') return payload[key] as string;
    }
  } catch {
    // Not a JWT we can read: the hint is shown instead.
  }
  return null;
}

/** Runs one sign-in; throws OAuthError (`cancelled` when the window ended without a redirect). */
export async function signIn(deps: SignInDeps, request: SignInRequest): Promise<SignInResult> {
  const issuer = parseIssuer(request.issuer);
  const known = knownProviderByIssuer(issuer);
  const clientId = request.clientId.trim() || known?.clientId || '';
  if (clientId === '') {
    throw new OAuthError(
      'no_client_id',
      known
        ? `This copy of Biff has no ${known.name} client ID: enter one, or use an app password`
        : 'Enter the client ID registered for Biff at this authorization server',
    );
  }
  const endpoints = known ?? (await discover(deps.fetch, issuer));
  const authorization = await buildAuthorizationRequest({
    authorizationEndpoint: endpoints.authorizationEndpoint,
    clientId,
    redirectUri: deps.redirectUri,
    scopes: known ? known.scopes : customScopes(endpoints.scopesSupported ?? null),
    ...(request.loginHint ? { loginHint: request.loginHint } : {}),
    extraParams: known ? known.extraParams : CUSTOM_EXTRA_PARAMS,
  });
  let redirect: string;
  try {
    redirect = await deps.launch(authorization.url);
  } catch (cause) {
    throw windowEndedError(cause, deps.redirectUri);
  }
  // RFC 9207's iss is checked for discovered issuers; Microsoft's `common` has no single one.
  const code = parseRedirect(redirect, authorization, known ? undefined : endpoints.issuer);
  const { tokens, idToken } = await exchangeCode(
    deps.fetch,
    { tokenEndpoint: endpoints.tokenEndpoint, clientId },
    { code, redirectUri: authorization.redirectUri, verifier: authorization.verifier },
    deps.now,
  );
  return {
    auth: {
      method: 'oauth2',
      issuer: known ? known.issuer : endpoints.issuer,
      clientId,
      tokenEndpoint: endpoints.tokenEndpoint,
      revocationEndpoint: endpoints.revocationEndpoint,
    },
    tokens,
    signedInAs: idTokenName(idToken) ?? request.loginHint ?? '',
  };
}
