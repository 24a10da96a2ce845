// OAuth sign-in against real parts: oidc-provider as the authorization server, Dovecot checking
// the JWT access tokens it issues (passdb oauth2), and Biff's POP3 client and imapflow logging in
// with them through the real relay. Also Biff's token client against the real server: refresh
// with rotation, revocation, and the keeper's one notice when a refresh is refused.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { createHandlers } from '../../background/handlers.ts';
import type { Account } from '../../extension/accounts.ts';
import { Actions } from '../../extension/engine/actions.ts';
import { classifyError } from '../../extension/engine/classify.ts';
import { DeleteHolds } from '../../extension/engine/delete-holds.ts';
import { Engine } from '../../extension/engine/engine.ts';
import { signIn } from '../../extension/engine/sign-in.ts';
import { createImapClient } from '../../extension/mail/imap/client.ts';
import { imapDriver } from '../../extension/mail/imap/driver.ts';
import { discover, type ServerEndpoints } from '../../extension/mail/oauth/discovery.ts';
import { OAuthError } from '../../extension/mail/oauth/errors.ts';
import { TokenKeeper } from '../../extension/mail/oauth/token-keeper.ts';
import { refreshTokens, revokeToken } from '../../extension/mail/oauth/tokens.ts';
import { pop3Driver } from '../../extension/mail/pop3/driver.ts';
import { Pop3Error } from '../../extension/mail/pop3/errors.ts';
import { Pop3Session } from '../../extension/mail/pop3/session.ts';
import { targetOf } from '../../extension/mail/target.ts';
import type { WebSocketConstructor } from '../../extension/relay/relay-socket.ts';
import { SettingsStore } from '../../extension/store/settings.ts';
import {
  CHROME_REDIRECT_URI,
  type OAuthServer,
  SIGNING_KID,
  startOAuthServer,
} from '../servers/oauth-server.ts';
import { headlessWindow, signInAt, signInHeadless } from '../servers/oauth-sign-in.ts';
import { memoryArea } from '../support/memory-area.ts';
import { waitFor } from './engine-world.ts';
import { Pop3World } from './pop3-helpers.ts';

const SIGN_IN_PASSWORD = 'idp password 0123';

/**
 * The authorization server (access tokens living `accessTokenTtl` seconds) and a Dovecot whose
 * passdb takes its tokens, with `users` users, and the server's discovered endpoints.
 */
async function startServers(accessTokenTtl: number, users: number) {
  const idp = await startOAuthServer({ users: [], accessTokenTtl });
  const world = await Pop3World.start({
    users,
    oauth2: { issuer: idp.issuer, kid: SIGNING_KID, publicKeyPem: idp.publicKeyPem },
  });
  const endpoints: ServerEndpoints = await discover(fetch, idp.issuer);
  return { idp, world, endpoints };
}

describe('OAuth: tokens from a real authorization server, accepted by Dovecot through the relay', () => {
  let idp: OAuthServer;
  let world: Pop3World;
  let endpoints: ServerEndpoints;

  before(async () => {
    ({ idp, world, endpoints } = await startServers(120, 8));
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

  test('sign-in: endpoints and who signed in; Cancel, an unknown client and a missing client ID are typed', async () => {
    const { name } = user();
    const result = await signInAt(idp, name, SIGN_IN_PASSWORD);
    assert.deepEqual(result.auth, {
      method: 'oauth2',
      issuer: idp.issuer,
      clientId: idp.clientId,
      tokenEndpoint: endpoints.tokenEndpoint,
      revocationEndpoint: endpoints.revocationEndpoint,
    });
    assert.equal(result.signedInAs, name);
    const signInWith = (launch: (url: string) => Promise<string>, clientId = idp.clientId) =>
      rejection(
        signIn(
          { fetch, launch, redirectUri: CHROME_REDIRECT_URI },
          { issuer: idp.issuer, clientId, loginHint: name },
        ),
      );
    const cancelled = await signInWith(headlessWindow(null));
    assert.ok(cancelled instanceof OAuthError && cancelled.code === 'access_denied', String(cancelled));
    // An unknown client gets the server's error page, never a redirect: the user closes the window.
    const unknown = await signInWith(headlessWindow(name, SIGN_IN_PASSWORD), 'not-registered');
    assert.ok(unknown instanceof OAuthError && unknown.code === 'cancelled', String(unknown));
    const before = idp.requests.length;
    const none = await signInWith(headlessWindow(name, SIGN_IN_PASSWORD), ' ');
    assert.ok(none instanceof OAuthError && none.code === 'no_client_id', String(none));
    assert.equal(idp.requests.length, before, 'nothing was sent');
  });

  test('engine: an OAuth account syncs with its token, refreshes once when the server refuses it, and a revoked sign-in stops it with one notice', async () => {
    const { name, account: base } = user();
    world.seed(name, [{ raw: 'Subject: one\r\n\r\nbody\r\n' }]);
    const signedIn = await signInAt(idp, name, SIGN_IN_PASSWORD);
    const account: Account = { ...base, auth: signedIn.auth };
    const settings = new SettingsStore(memoryArea());
    await settings.updateSettings({ relay: world.endpoint });
    await settings.saveAccount(account, { oauth: signedIn.tokens });
    const tokenRequests: string[] = [];
    const notices: string[] = [];
    const db = await world.db();
    const holds = new DeleteHolds();
    const engine = new Engine({
      db,
      settings,
      drivers: { imap: imapDriver, pop3: pop3Driver },
      holds,
      relaySocket: { WebSocket: WebSocket as unknown as WebSocketConstructor },
      push: false,
      emit: () => {},
      persist: () => {},
      onNewMail: () => {},
      fetch: (url, init) => {
        tokenRequests.push(new URL(url).pathname);
        return fetch(url, init);
      },
      onSignInNeeded: (a) => notices.push(a.id),
    });
    const handlers = createHandlers({
      engine,
      actions: new Actions({ engine, db, holds, emit: () => {}, area: memoryArea(), wake: () => {} }),
      settings,
    });
    try {
      await engine.start();
      let status = await engine.sync(account.id, 'manual');
      assert.equal(status.state, 'idle', JSON.stringify(status.error));
      assert.equal(status.unread, 1);
      assert.deepEqual(tokenRequests, []);

      // The server refuses the token before the time it gave: one refresh, one retry.
      const stored = (await settings.getTokens(account.id))!;
      await settings.saveTokens(account.id, {
        ...stored,
        accessToken: idp.mintAccessToken({ sub: name, expiresIn: -30 }),
      });
      engine.tokens.forget(account.id);
      world.seed(name, [{ raw: 'Subject: two\r\n\r\nbody\r\n' }]);
      status = await engine.sync(account.id, 'manual');
      assert.equal(status.state, 'idle', JSON.stringify(status.error));
      assert.equal(status.unread, 2);
      assert.deepEqual(tokenRequests, ['/token']);
      const rotated = (await settings.getTokens(account.id))!;
      assert.notEqual(rotated.refreshToken, stored.refreshToken, 'the rotated refresh token was saved');

      // Revoked at the server: the next refresh is refused, the account needs a sign-in.
      await revokeToken(fetch, endpoints.revocationEndpoint!, idp.clientId, rotated.refreshToken!);
      await settings.saveTokens(account.id, { ...rotated, expiresAt: Date.now() - 1 });
      engine.tokens.forget(account.id);
      status = await engine.sync(account.id, 'manual');
      assert.equal(status.state, 'error');
      assert.equal(status.error?.kind, 'auth');
      assert.equal(status.error?.code, 'sign_in_again');
      assert.match(status.error?.message ?? '', /^Sign in again/);
      assert.equal(status.nextCheck, null, 'no retry scheduled');
      assert.deepEqual(notices, [account.id]);
      const asked = tokenRequests.length;
      // Later checks, and a worker that starts again, ask the server nothing and notify nothing.
      await engine.sync(account.id, 'manual');
      engine.tokens.forget(account.id);
      await engine.sync(account.id, 'manual');
      assert.equal(tokenRequests.length, asked);
      assert.deepEqual(notices, [account.id]);
      assert.equal((await settings.getTokens(account.id))?.refreshToken, null);

      // Signing in again restores it.
      const again = await signInAt(idp, name, SIGN_IN_PASSWORD);
      await settings.saveAccount({ ...account, auth: again.auth }, { oauth: again.tokens });
      engine.tokens.forget(account.id);
      status = await engine.sync(account.id, 'manual');
      assert.equal(status.state, 'idle', JSON.stringify(status.error));

      // Removing the account revokes its refresh token at the server.
      const last = (await settings.getTokens(account.id))!;
      await handlers.removeAccount!({ accountId: account.id });
      assert.equal(await settings.getAccount(account.id), undefined);
      const refused = await rejection(
        refreshTokens(
          fetch,
          { tokenEndpoint: endpoints.tokenEndpoint, clientId: idp.clientId },
          last.refreshToken!,
        ),
      );
      assert.ok(refused instanceof OAuthError && refused.code === 'invalid_grant', String(refused));
    } finally {
      await engine.stop();
    }
  });
});

describe('OAuth with 10 s access tokens: push and checks go on, refreshed by alarm or renewed at a refusal', () => {
  let idp: OAuthServer;
  let world: Pop3World;
  let endpoints: ServerEndpoints;

  before(async () => {
    ({ idp, world, endpoints } = await startServers(10, 6));
  });

  after(async () => {
    await world?.stop();
    await idp?.stop();
  });

  /** An engine with push for one signed-in IMAP account, recording token requests, notices and new mail. */
  async function pushWorld() {
    const name = world.newUser();
    idp.addUser(name, SIGN_IN_PASSWORD);
    const signedIn = await signInAt(idp, name, SIGN_IN_PASSWORD);
    const account: Account = { ...world.accountFor(name, 'imap'), auth: signedIn.auth };
    const settings = new SettingsStore(memoryArea());
    await settings.updateSettings({ relay: world.endpoint });
    await settings.saveAccount(account, { oauth: signedIn.tokens });
    const tokenRequests: number[] = [];
    const notices: string[] = [];
    const arrived: Array<{ subject: string; at: number }> = [];
    let changes = 0;
    const engine = new Engine({
      db: await world.db(),
      settings,
      drivers: { imap: imapDriver, pop3: pop3Driver },
      holds: new DeleteHolds(),
      relaySocket: { WebSocket: WebSocket as unknown as WebSocketConstructor },
      emit: (event) => {
        if (event.biffEvent === 'messages-changed') changes++;
      },
      persist: () => {},
      onNewMail: (_a, messages) => {
        for (const m of messages) arrived.push({ subject: m.subject, at: Date.now() });
      },
      fetch: (url, init) => {
        if (new URL(url).pathname === '/token') tokenRequests.push(Date.now());
        return fetch(url, init);
      },
      onSignInNeeded: (a) => notices.push(a.id),
    });
    const append = async (subject: string) => {
      const other = await world.other(name);
      await other.append('INBOX', `Subject: ${subject}\r\nFrom: a@biff.test\r\n\r\nbody\r\n`, []);
      await other.logout();
    };
    /** Dovecot's login attempts for this user so far (accepted and refused). */
    const logins = () =>
      world.dovecot
        .logs()
        .split('\n')
        .filter((line) => line.includes('imap-login:') && line.includes(`user=<${name}>`)).length;
    /** Starts the engine and waits for push's first catch-up sync (what is there is not new). */
    const start = async () => {
      await engine.start();
      await waitFor(() => changes > 0, 15_000, 'push connected and caught up');
    };
    return { name, account, settings, engine, tokenRequests, notices, arrived, append, logins, start };
  }

  test('a minute of 10 s tokens: IMAP mail keeps arriving by push and POP3 mail by its check alarm, no user action', async (t) => {
    // Two signed-in accounts in one engine, wired as the background wires them: token alarms
    // (here real timers) that call refreshTokenIfDue, and a check alarm for POP3 every ~12 s.
    const imapUser = world.newUser();
    const pop3User = world.newUser();
    const settings = new SettingsStore(memoryArea());
    await settings.updateSettings({ relay: world.endpoint });
    const accounts: Account[] = [];
    for (const [user, protocol] of [
      [imapUser, 'imap'],
      [pop3User, 'pop3'],
    ] as const) {
      idp.addUser(user, SIGN_IN_PASSWORD);
      const signedIn = await signInAt(idp, user, SIGN_IN_PASSWORD);
      const base = protocol === 'imap' ? world.accountFor(user, 'imap') : world.account(user, {}, 'starttls');
      const account = { ...base, auth: signedIn.auth };
      await settings.saveAccount(account, { oauth: signedIn.tokens });
      accounts.push(account);
    }
    const [imap, pop3] = accounts as [Account, Account];
    let tokenRequests = 0;
    const notices: string[] = [];
    const arrived = new Map<string, number>();
    const alarms = new Map<string, ReturnType<typeof setTimeout>>();
    let changes = 0;
    const engine: Engine = new Engine({
      db: await world.db(),
      settings,
      drivers: { imap: imapDriver, pop3: pop3Driver },
      holds: new DeleteHolds(),
      relaySocket: { WebSocket: WebSocket as unknown as WebSocketConstructor },
      emit: (event) => {
        if (event.biffEvent === 'messages-changed' && event.accountIds.includes(imap.id)) changes++;
      },
      persist: () => {},
      onNewMail: (_a, messages) => {
        for (const m of messages) arrived.set(m.subject, Date.now());
      },
      fetch: (url, init) => {
        if (new URL(url).pathname === '/token') tokenRequests++;
        return fetch(url, init);
      },
      onSignInNeeded: (a) => notices.push(a.id),
      scheduleTokenRefresh: (id, at) => {
        clearTimeout(alarms.get(id));
        alarms.delete(id);
        if (at !== null)
          alarms.set(
            id,
            setTimeout(() => void engine.refreshTokenIfDue(id), Math.max(0, at - Date.now())),
          );
      },
    });
    const started = Date.now();
    try {
      await engine.start();
      await engine.sync(pop3.id, 'startup');
      await waitFor(() => changes > 0, 15_000, 'push connected and caught up');
      const latencies: number[] = [];
      for (let round = 1; round <= 5; round++) {
        const roundStart = Date.now();
        // Midway, every connection drops: push logs in again with the token the alarms kept fresh.
        if (round === 3) await world.dovecot.restart();
        const pushed = `push ${round}`;
        const polled = `poll ${round}`;
        const other = await world.other(imapUser);
        const appended = Date.now();
        await other.append('INBOX', `Subject: ${pushed}\r\nFrom: a@biff.test\r\n\r\nbody\r\n`, []);
        await other.logout();
        world.seed(pop3User, [{ raw: `Subject: ${polled}\r\nFrom: a@biff.test\r\n\r\nbody\r\n` }]);
        await waitFor(() => arrived.has(pushed), 30_000, `${pushed} by push`);
        latencies.push(arrived.get(pushed)! - appended);
        // The check alarm (the background's `check:` alarm and engine.sync(id, 'alarm')).
        const status = await engine.sync(pop3.id, 'alarm');
        assert.equal(status.error, undefined, `${polled}: ${JSON.stringify(status.error)}`);
        assert.ok(arrived.has(polled), `${polled} by the check`);
        await new Promise((r) => setTimeout(r, Math.max(0, roundStart + 12_000 - Date.now())));
      }
      t.diagnostic(
        `${Math.round((Date.now() - started) / 1000)} s, token requests ${tokenRequests} for 2 accounts; push latency ms ${latencies.join(', ')}`,
      );
      assert.deepEqual(notices, []);
      assert.equal(engine.scheduler.status(imap.id).error, undefined);
      assert.ok(engine.scheduler.status(imap.id).push, 'push live at the end');
      // Every token the accounts signed in with is long expired: the alarms replaced them.
      for (const account of accounts) {
        const stored = (await settings.getTokens(account.id))!;
        assert.ok(stored.issuedAt > started + 40_000, `${account.protocol} token refreshed in the last 20 s`);
      }
    } finally {
      for (const timer of alarms.values()) clearTimeout(timer);
      await engine.stop();
    }
  });

  test('a push login the server refuses (the token expired early) is renewed with one refresh; mail still arrives by push, without a check', async (t) => {
    const w = await pushWorld();
    const { engine, account, settings } = w;
    // An access token Dovecot takes for 4 s more, though the token endpoint said an hour: the
    // server refuses it before the time it gave (a revoked token, or clocks that disagree).
    const stored = (await settings.getTokens(account.id))!;
    const expiresAtServer = Date.now() + 4_000;
    await settings.saveTokens(account.id, {
      ...stored,
      accessToken: idp.mintAccessToken({ sub: w.name, expiresIn: 4 }),
      issuedAt: Date.now(),
      expiresAt: Date.now() + 3_600_000,
    });
    try {
      await w.start();
      await w.append('before');
      await waitFor(() => w.arrived.some((m) => m.subject === 'before'), 10_000, 'first push');
      // The token expires at Dovecot; the push connection, logged in before, goes on until dropped.
      await new Promise((r) => setTimeout(r, Math.max(0, expiresAtServer + 500 - Date.now())));
      assert.deepEqual(w.tokenRequests, [], 'nothing refreshed yet: the keeper believes the token');
      await world.dovecot.restart();
      const dropped = Date.now();
      await w.append('after');
      await waitFor(
        () => w.arrived.some((m) => m.subject === 'after'),
        30_000,
        'mail after the drop, by push',
      );
      await waitFor(() => engine.scheduler.status(account.id).push, 10_000, 'push live again');
      const at = w.arrived.find((m) => m.subject === 'after')!.at;
      t.diagnostic(
        `token requests ${w.tokenRequests.length}; mail ${at - dropped} ms after Dovecot came back, ${at - expiresAtServer} ms after the token expired`,
      );
      assert.equal(w.tokenRequests.length, 1, 'one refresh');
      assert.deepEqual(w.notices, []);
      assert.notEqual(
        (await settings.getTokens(account.id))!.refreshToken,
        stored.refreshToken,
        'rotated and saved',
      );
      assert.equal(engine.scheduler.status(account.id).error, undefined, 'no error shown');
    } finally {
      await engine.stop();
    }
  });

  test('a revoked refresh token puts the account in the auth state: one notice, push stops, no retry loop', async (t) => {
    const w = await pushWorld();
    const { engine, account, settings } = w;
    try {
      await w.start();
      const current = (await settings.getTokens(account.id))!;
      await revokeToken(fetch, endpoints.revocationEndpoint!, idp.clientId, current.refreshToken!);
      // The access token runs out at Dovecot (10 s); the push connection is dropped after.
      await new Promise((r) => setTimeout(r, Math.max(0, current.expiresAt + 1_000 - Date.now())));
      await world.dovecot.restart();
      await waitFor(() => w.notices.length > 0, 30_000, 'the sign-in notice');
      await waitFor(
        () => engine.scheduler.status(account.id).error?.code === 'sign_in_again',
        10_000,
        'the auth state',
      );
      const asked = w.tokenRequests.length;
      const logins = w.logins();
      // Long enough for push's backoff (1, 2, 5 s) to try three more times if it were looping.
      await new Promise((r) => setTimeout(r, 9_000));
      t.diagnostic(
        `token requests ${w.tokenRequests.length}; logins after the notice ${w.logins() - logins}`,
      );
      assert.equal(w.tokenRequests.length, asked, 'no more token requests');
      assert.equal(asked, 1, 'one refused refresh');
      assert.equal(w.logins(), logins, 'push does not log in again');
      assert.deepEqual(w.notices, [account.id], 'one notice');
      const status = engine.scheduler.status(account.id);
      assert.equal(status.error?.kind, 'auth');
      assert.equal(status.push, false);
      assert.equal(status.nextCheck, null, 'no retry scheduled');
    } finally {
      await engine.stop();
    }
  });
});
