// Signs in at the test authorization server without a browser: a "sign-in window" that follows
// the server's redirects and fills its login page over HTTP (with a cookie jar) as a person
// would, handed to Biff's own sign-in (extension/engine/sign-in.ts) in place of the browser's.
import type { OAuthTokens } from '../../extension/accounts.ts';
import { type SignInResult, signIn } from '../../extension/engine/sign-in.ts';
import { CHROME_REDIRECT_URI, type OAuthServer } from './oauth-server.ts';

/** Most redirects followed: the flow takes four; more is a loop. */
const MAX_REDIRECTS = 10;

/**
 * A headless sign-in window: opens `url`, signs in as `user` (or presses "Cancel" when `user`
 * is null), and resolves with the URL it was sent to at `redirectUri`.
 */
export function headlessWindow(user: string | null, pass = '', redirectUri = CHROME_REDIRECT_URI) {
  return async (start: string): Promise<string> => {
    const cookies = new Map<string, string>();
    let url = start;
    let init: RequestInit = {};
    for (let i = 0; i < MAX_REDIRECTS; i++) {
      if (url.startsWith(redirectUri)) return url;
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
      init = {};
      const location = response.headers.get('location');
      if (location) {
        await response.body?.cancel();
        url = new URL(location, url).href;
        continue;
      }
      const page = await response.text();
      const action = /<form method="post" action="([^"]+\/(login|abort))"/g;
      const forms = new Map([...page.matchAll(action)].map((m) => [m[2]!, m[1]!]));
      const target = forms.get(user === null ? 'abort' : 'login');
      if (!target) throw new Error(`sign-in stopped at ${new URL(url).pathname} (${response.status})`);
      url = new URL(target, url).href;
      init = {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: user === null ? '' : new URLSearchParams({ username: user, password: pass }).toString(),
      };
    }
    throw new Error('sign-in redirected too often');
  };
}

/** Biff's sign-in at `server` as `user`, through a headless window. */
export function signInAt(
  server: OAuthServer,
  user: string,
  pass: string,
  clientId = server.clientId,
): Promise<SignInResult> {
  return signIn(
    { fetch, launch: headlessWindow(user, pass), redirectUri: CHROME_REDIRECT_URI },
    { issuer: server.issuer, clientId, loginHint: user },
  );
}

/** Signs `user` in and returns the tokens; throws what Biff's client throws (OAuthError). */
export async function signInHeadless(server: OAuthServer, user: string, pass: string): Promise<OAuthTokens> {
  return (await signInAt(server, user, pass)).tokens;
}
