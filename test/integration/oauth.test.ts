// OAuth sign-in against real parts: oidc-provider as the authorization server, Dovecot checking
// the JWT access tokens it issues (passdb oauth2), and Biff's POP3 client and imapflow logging in
// with them through the real relay. Also Biff's token client against the real server: refresh
// with rotation, revocation, and the keeper's one notice when a refresh is refused.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { classifyError } from '../../extension/engine/classify.ts';
import { createImapClient } from '../../extension/mail/imap/client.ts';
import { discover, type ServerEndpoints } from '../../extension/mail/oauth/discovery.ts';
import { OAuthError } from '../../extension/mail/oauth/errors.ts';
import { TokenKeeper } from '../../extension/mail/oauth/token-keeper.ts';
import { refreshTokens, revokeToken } from '../../extension/mail/oauth/tokens.ts';
import { Pop3Error } from '../../extension/mail/pop3/errors.ts';
import { Pop3Session } from '../../extension/mail/pop3/session.ts';
import { targetOf } from '../../extension/mail/target.ts';
import { type OAuthServer, SIGNING_KID, startOAuthServer } from '../servers/oauth-server.ts';
import { signInHeadless } from '../servers/oauth-sign-in.ts';
import { Pop3World } from './pop3-helpers.ts';

const SIGN_IN_PASSWORD = 'idp password 0123';

describe('OAuth: tokens from a real authorization server, accepted by Dovecot through the relay', () => {
  let idp: OAuthServer;
  let world: Pop3World;
  let endpoints: ServerEndpoints;

  before(async () => {
    idp = await startOAuthServer({ users: [], accessTokenTtl: 120 });
    world = await Pop3World.start({
      users: 8,
      oauth2: { issuer: idp.issuer, kid: SIGNING_KID, publicKeyPem: idp.publicKeyPem },
    });
    endpoints = await discover(fetch, idp.issuer);
  });

  after(async () => {
    await world?.stop();
    await idp?.stop();
  });

  /** A Dovecot user who can sign in at the authorization server, and a POP3 account for them. */
  function user(): { name: string; account: ReturnType<Pop3World['account']> } {
    const name = world.newUser();
    idp.addUser(name, SIGN_IN_PASSWORD);
    return { name, account: world.account(name, {}, 'starttls') };
  }

  async function pop3(account: ReturnType<Pop3World['account']>): Promise<Pop3Session> {
    const session = await Pop3Session.open(await world.open(targetOf(account)));
    await session.stls();
    return session;
  }

  async function rejection(promise: Promise<unknown>): Promise<unknown> {
    try {
      await promise;
    } catch (error) {
      return error;
    }
    assert.fail('expected a rejection');
  }

  test('POP3: OAUTHBEARER (preferred) and XOAUTH2 log in with a signed-in token', async () => {
    const { name, account } = user();
    world.seed(name, [{ raw: 'Subject: hello\r\n\r\nbody\r\n' }]);
    const tokens = await signInHeadless(idp, name, SIGN_IN_PASSWORD);
    for (const mechanism of ['auto', 'OAUTHBEARER', 'XOAUTH2'] as const) {
      const session = await pop3(account);
      assert.deepEqual(
        session.capabilities?.sasl.filter((m) => m !== 'PLAIN' && m !== 'LOGIN'),
        ['XOAUTH2', 'OAUTHBEARER'],
      );
      await session.loginWithToken({
        user: name,
        accessToken: tokens.accessToken,
        mechanism,
        server: { host: account.host, port: account.port },
      });
      assert.equal((await session.stat()).count, 1, mechanism);
      await session.quit();
    }
  });

  test('POP3: an expired or forged token fails with auth_failed at once, and the session takes a good one after', async () => {
    const { name, account } = user();
    const good = await signInHeadless(idp, name, SIGN_IN_PASSWORD);
    const session = await pop3(account);
    for (const [what, token] of [
      ['expired', idp.mintAccessToken({ sub: name, expiresIn: -30 })],
      ["another user's", idp.mintAccessToken({ sub: `${name}-other`, expiresIn: 60 })],
      ['not a JWT', 'not-a-token'],
    ] as const) {
      for (const mechanism of ['XOAUTH2', 'OAUTHBEARER'] as const) {
        const error = await rejection(session.loginWithToken({ user: name, accessToken: token, mechanism }));
        assert.ok(error instanceof Pop3Error, `${what}/${mechanism}: ${String(error)}`);
        assert.equal(error.code, 'auth_failed', `${what}/${mechanism}: ${error.message}`);
        // Dovecot names the failure as each mechanism does: "401" (XOAUTH2), "invalid_token" (RFC 7628).
        assert.match(
          error.message,
          mechanism === 'XOAUTH2' ? /token refused: 401/ : /token refused: invalid_token/,
        );
        assert.equal(classifyError(error).kind, 'auth');
        assert.ok(!error.message.includes(token));
      }
    }
    await session.loginWithToken({ user: name, accessToken: good.accessToken });
    assert.equal(session.state, 'transaction');
    await session.quit();
  });

  test('IMAP: imapflow logs in with the access token; a bad one is an auth failure', async () => {
    const { name } = user();
    const tokens = await signInHeadless(idp, name, SIGN_IN_PASSWORD);
    const account = {
      ...world.account(name, {}, 'implicit'),
      protocol: 'imap' as const,
      port: world.dovecot.ports.imaps,
    };
    const client = createImapClient(world.open, targetOf(account), {
      user: name,
      accessToken: tokens.accessToken,
    });
    await client.connect();
    assert.ok(client.authenticated);
    const status = await client.status('INBOX', { messages: true });
    assert.ok(status && typeof status.messages === 'number');
    await client.logout();

    const bad = createImapClient(world.open, targetOf(account), {
      user: name,
      accessToken: idp.mintAccessToken({ sub: name, expiresIn: -30 }),
    });
    bad.on('error', () => {});
    const error = await rejection(bad.connect());
    assert.equal(classifyError(error).kind, 'auth', String(error));
    bad.close();
  });

  test('refresh rotates the refresh token; revocation makes the next refresh invalid_grant', async () => {
    const { name } = user();
    const first = await signInHeadless(idp, name, SIGN_IN_PASSWORD);
    assert.ok(first.refreshToken);
    const client = { tokenEndpoint: endpoints.tokenEndpoint, clientId: idp.clientId };
    const second = await refreshTokens(fetch, client, first.refreshToken);
    assert.ok(second.refreshToken && second.refreshToken !== first.refreshToken, 'rotated');
    assert.notEqual(second.accessToken, first.accessToken);
    assert.ok(endpoints.revocationEndpoint);
    await revokeToken(fetch, endpoints.revocationEndpoint, idp.clientId, second.refreshToken);
    // Revoking twice is fine (RFC 7009 §2.2).
    await revokeToken(fetch, endpoints.revocationEndpoint, idp.clientId, second.refreshToken);
    const error = await rejection(refreshTokens(fetch, client, second.refreshToken));
    assert.ok(error instanceof OAuthError && error.code === 'invalid_grant', String(error));
    assert.ok(!error.message.includes(second.refreshToken));
  });

  test('the keeper against the real server: refresh on an auth failure, then one notice when revoked', async () => {
    const { name, account } = user();
    const tokens = await signInHeadless(idp, name, SIGN_IN_PASSWORD);
    const client = { tokenEndpoint: endpoints.tokenEndpoint, clientId: idp.clientId };
    const saved: string[] = [];
    const notices: OAuthError[] = [];
    // Start from an expired access token the keeper does not know is expired.
    const keeper = new TokenKeeper(
      {
        now: Date.now,
        refresh: (refreshToken) => refreshTokens(fetch, client, refreshToken),
        save: async (next) => {
          saved.push(next.refreshToken ?? '');
        },
        onSignInNeeded: (error) => notices.push(error),
      },
      { ...tokens, accessToken: idp.mintAccessToken({ sub: name, expiresIn: -30 }) },
    );
    const isAuth = (error: unknown) => classifyError(error).kind === 'auth';
    const count = await keeper.withToken(async (accessToken) => {
      const session = await pop3(account);
      try {
        await session.loginWithToken({ user: name, accessToken });
        return (await session.stat()).count;
      } finally {
        session.close();
      }
    }, isAuth);
    assert.equal(count, 0);
    assert.equal(saved.length, 1, 'one refresh, saved before use');
    await revokeToken(fetch, endpoints.revocationEndpoint!, idp.clientId, keeper.current.refreshToken!);
    for (let i = 0; i < 3; i++) {
      const error = await rejection(keeper.refresh());
      assert.ok(error instanceof OAuthError && error.code === 'invalid_grant');
    }
    assert.equal(notices.length, 1);
    keeper.stop();
  });
});
