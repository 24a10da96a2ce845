// Signs in at the test authorization server without a browser: follows its redirects and fills
// its login page over HTTP (with a cookie jar), the way the browser's sign-in window would, but
// with Biff's own request building, redirect reading and token exchange.
import { buildAuthorizationRequest, parseRedirect } from '../../extension/mail/oauth/authorize.ts';
import { discover } from '../../extension/mail/oauth/discovery.ts';
import { exchangeCode, type TokenSet } from '../../extension/mail/oauth/tokens.ts';
import { CHROME_REDIRECT_URI, type OAuthServer } from './oauth-server.ts';

/** Most redirects followed: the flow takes four; more is a loop. */
const MAX_REDIRECTS = 10;

/** Signs `user` in and returns the tokens; throws what Biff's client throws (OAuthError). */
export async function signInHeadless(
  server: OAuthServer,
  user: string,
  pass: string,
  scopes: readonly string[] = ['openid', 'offline_access'],
): Promise<TokenSet> {
  const endpoints = await discover(fetch, server.issuer);
  const request = await buildAuthorizationRequest({
    authorizationEndpoint: endpoints.authorizationEndpoint,
    clientId: server.clientId,
    redirectUri: CHROME_REDIRECT_URI,
    scopes,
    loginHint: user,
  });
  const cookies = new Map<string, string>();
  const step = async (url: string, init: RequestInit = {}): Promise<Response> => {
    const response = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers ?? {}), cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      cookies.set(pair!.slice(0, eq).trim(), pair!.slice(eq + 1).trim());
    }
    return response;
  };
  let url = request.url;
  let init: RequestInit = {};
  for (let i = 0; i < MAX_REDIRECTS; i++) {
    if (url.startsWith(CHROME_REDIRECT_URI)) {
      const code = parseRedirect(url, request, endpoints.issuer);
      return exchangeCode(
        fetch,
        { tokenEndpoint: endpoints.tokenEndpoint, clientId: server.clientId },
        {
          code,
          redirectUri: CHROME_REDIRECT_URI,
          verifier: request.verifier,
        },
      );
    }
    const response = await step(url, init);
    init = {};
    const location = response.headers.get('location');
    if (location) {
      await response.body?.cancel();
      url = new URL(location, url).href;
      continue;
    }
    const page = await response.text();
    const action = /<form method="post" action="([^"]+\/login)"/.exec(page);
    if (!action) throw new Error(`sign-in stopped at ${new URL(url).pathname} (${response.status})`);
    url = new URL(action[1]!.replace(/&#47;/g, '/'), url).href;
    init = {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username: user, password: pass }).toString(),
    };
  }
  throw new Error('sign-in redirected too often');
}
