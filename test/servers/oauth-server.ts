// A real OAuth 2.0 / OpenID Connect authorization server for tests (panva's oidc-provider), on a
// free loopback port: one public PKCE client, a login page of our own (fields "Username" and
// "Password", buttons "Sign in" and "Cancel"), refresh tokens with rotation, RFC 7009
// revocation, and JWT access tokens Dovecot can check with the public key alone
// (dovecot.ts `oauth2` option).
import { generateKeyPairSync, type KeyObject, randomUUID, sign as signData } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type GrantInstance } from 'oidc-provider';

/** Chrome's redirect for Biff: the extension ID is fixed by the manifest key (README). */
export const CHROME_REDIRECT_URI = 'https://dbonihppoidfekehkoeogfoehelllkbp.chromiumapp.org/';
/**
 * Firefox's redirect for Biff: `identity.getRedirectURL()`, the SHA-1 (hex) of the add-on ID
 * (manifest `browser_specific_settings.gecko.id`), read from Firefox ESR's background; it does
 * not depend on the per-profile UUID of the add-on's pages.
 */
export const FIREFOX_REDIRECT_URI =
  'https://7d7ec9223ee59a4ff9da2268d735a1ddb44f6c08.extensions.allizom.org/';
/** The resource (RFC 8707) Biff's access tokens are for: the mail server. */
export const MAIL_RESOURCE = 'urn:biff:test:mail';
/** The access tokens' audience, which Dovecot sees. */
export const MAIL_AUDIENCE = 'dovecot';
/** Key ID of the signing key; Dovecot finds the key by it (oauth2 local_validation_key_dict). */
export const SIGNING_KID = 'biff-test-key';

/** What startOAuthServer() can change. */
export interface OAuthServerOptions {
  /** Who can sign in on the login page. */
  users: ReadonlyArray<{ user: string; pass: string }>;
  /** The public client's ID. Default `biff-test-client`. */
  clientId?: string;
  /** Redirect URIs the client may use. Default: Biff's in Chrome and in Firefox. */
  redirectUris?: readonly string[];
  /** Access-token lifetime in seconds (the e2e tests use 10-15). Default 300. */
  accessTokenTtl?: number;
}

/** A running authorization server. */
export interface OAuthServer {
  /** `http://127.0.0.1:<port>`: loopback, so plain http is allowed as an issuer. */
  readonly issuer: string;
  readonly clientId: string;
  /** The signing key's public half, PEM, for Dovecot. */
  readonly publicKeyPem: string;
  /** Requests the server got, method and path only (never bodies: they hold tokens). */
  readonly requests: ReadonlyArray<{ method: string; path: string }>;
  /**
   * An access token signed with the server's key, as the server would issue it, but with the
   * claims given: to test an expired token or another user's without waiting or signing in.
   */
  mintAccessToken(claims: { sub: string; expiresIn: number }): string;
  /** Lets another user sign in. */
  addUser(user: string, pass: string): void;
  stop(): Promise<void>;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

function loginPage(uid: string, message = ''): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Test sign-in</title></head>
<body>
<h1>Test authorization server</h1>
${message ? `<p role="alert">${escapeHtml(message)}</p>` : ''}
<form method="post" action="/interaction/${escapeHtml(uid)}/login">
  <label>Username <input name="username" autocomplete="username"></label>
  <label>Password <input name="password" type="password" autocomplete="current-password"></label>
  <button type="submit">Sign in</button>
</form>
<form method="post" action="/interaction/${escapeHtml(uid)}/abort">
  <button type="submit">Cancel</button>
</form>
</body></html>`;
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    // A login form is a few dozen bytes; anything this big is not one.
    if (size > 64 * 1024) throw new Error('form too large');
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function base64UrlJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** Starts the server; see OAuthServerOptions. */
export async function startOAuthServer(options: OAuthServerOptions): Promise<OAuthServer> {
  const clientId = options.clientId ?? 'biff-test-client';
  const accessTokenTtl = options.accessTokenTtl ?? 300;
  const passwords = new Map(options.users.map((u) => [u.user, u.pass]));
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = {
    ...(privateKey.export({ format: 'jwk' }) as Record<string, unknown>),
    kid: SIGNING_KID,
    alg: 'RS256',
    use: 'sig',
  };
  const requests: Array<{ method: string; path: string }> = [];

  let handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.end();
  const server = createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const issuer = `http://127.0.0.1:${port}`;

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        token_endpoint_auth_method: 'none',
        redirect_uris: [...(options.redirectUris ?? [CHROME_REDIRECT_URI, FIREFOX_REDIRECT_URI])],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
      },
    ],
    jwks: { keys: [jwk] },
    cookies: { keys: [randomUUID()] },
    scopes: ['openid', 'email', 'offline_access'],
    claims: { openid: ['sub'], email: ['email'] },
    findAccount: async (_ctx: unknown, sub: string) =>
      passwords.has(sub) ? { accountId: sub, claims: async () => ({ sub, email: sub }) } : undefined,
    features: {
      devInteractions: { enabled: false },
      // Any holder of a token may revoke it: it is the public client's own (RFC 7009 §2.1).
      revocation: { enabled: true, allowedPolicy: async () => true },
      introspection: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: async () => MAIL_RESOURCE,
        useGrantedResource: async () => true,
        getResourceServerInfo: async () => ({
          scope: 'mail',
          audience: MAIL_AUDIENCE,
          accessTokenTTL: accessTokenTtl,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'RS256' } },
        }),
      },
    },
    formats: {
      customizers: {
        // Dovecot 2.3's local validation wants `typ: JWT` and refuses RFC 9068's `at+jwt`.
        jwt: async (_ctx: unknown, _token: unknown, jwt: { header?: Record<string, unknown> }) => {
          jwt.header = { typ: 'JWT' };
        },
      },
    },
    ttl: {
      IdToken: 3600,
      AccessToken: accessTokenTtl,
      AuthorizationCode: 60,
      RefreshToken: 86_400,
      Grant: 86_400,
      Session: 86_400,
      Interaction: 600,
    },
    // A public client gets a refresh token whenever it may use the grant: Biff has no other way
    // to stay signed in (the default also wants offline_access, which OIDC ties to prompt=consent).
    issueRefreshToken: async (_ctx: unknown, client: { grantTypeAllowed(type: string): boolean }) =>
      client.grantTypeAllowed('refresh_token'),
    // Refresh tokens outlive the sign-in page's browser session, as Google's and Microsoft's do.
    // oidc-provider's default binds them to it without offline_access (which it grants only
    // with prompt=consent): signing in a second user in the same browser then ended the first
    // account's refresh tokens ('grant request is invalid' at its next refresh; e2e oauth).
    expiresWithSession: async () => false,
    // Every sign-in grants the OIDC scopes and the mail scope: consent is not what is tested.
    loadExistingGrant: async (ctx: {
      oidc: {
        client: { clientId: string };
        session: { accountId: string };
        provider: Provider;
      };
    }): Promise<GrantInstance> => {
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client.clientId,
        accountId: ctx.oidc.session.accountId,
      });
      grant.addOIDCScope('openid email offline_access');
      grant.addResourceScope(MAIL_RESOURCE, 'mail');
      await grant.save();
      return grant;
    },
    interactions: {
      url: async (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}`,
    },
    // Standard authorization servers answer CORS for public clients; Biff's requests come from
    // its extension origin, which is not the redirect URI's.
    clientBasedCORS: () => true,
    pkce: { required: () => true },
  });
  // oidc-provider logs every server_error to the console; tests look at responses instead.
  provider.on('server_error', () => {});

  const callback = provider.callback();
  handler = (req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    requests.push({ method: req.method ?? 'GET', path });
    const interaction = /^\/interaction\/([^/]+)(\/login|\/abort)?$/.exec(path);
    if (!interaction) {
      callback(req, res);
      return;
    }
    void (async () => {
      try {
        const details = await provider.interactionDetails(req, res);
        if (details.uid !== interaction[1]) throw new Error('interaction mismatch');
        if (interaction[2] === undefined) {
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(loginPage(details.uid));
        } else if (interaction[2] === '/abort') {
          await provider.interactionFinished(
            req,
            res,
            { error: 'access_denied', error_description: 'the user cancelled' },
            {
              mergeWithLastSubmission: false,
            },
          );
        } else {
          const form = await readForm(req);
          const user = form.get('username') ?? '';
          if (!passwords.has(user) || passwords.get(user) !== form.get('password')) {
            res
              .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
              .end(loginPage(details.uid, 'Wrong username or password'));
            return;
          }
          await provider.interactionFinished(
            req,
            res,
            { login: { accountId: user } },
            { mergeWithLastSubmission: false },
          );
        }
      } catch (error) {
        if (!res.headersSent) res.writeHead(400, { 'content-type': 'text/plain' });
        res.end(`interaction failed: ${(error as Error).message}`);
      }
    })();
  };

  return {
    issuer,
    clientId,
    publicKeyPem: (publicKey as KeyObject).export({ format: 'pem', type: 'spki' }).toString(),
    requests,
    addUser: (user, pass) => {
      passwords.set(user, pass);
    },
    mintAccessToken: ({ sub, expiresIn }) => {
      const now = Math.floor(Date.now() / 1000);
      const header = base64UrlJson({ alg: 'RS256', typ: 'JWT', kid: SIGNING_KID });
      const payload = base64UrlJson({
        iss: issuer,
        sub,
        aud: MAIL_AUDIENCE,
        client_id: clientId,
        scope: 'mail',
        jti: randomUUID(),
        iat: now - 60,
        exp: now + expiresIn,
      });
      const signature = signData('sha256', Buffer.from(`${header}.${payload}`), privateKey).toString(
        'base64url',
      );
      return `${header}.${payload}.${signature}`;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
