import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FakeTimers } from '../../test/support/fake-timers.ts';
import { memoryArea } from '../../test/support/memory-area.ts';
import { type Account, DEFAULT_IMAP, DEFAULT_POP3, type OAuthTokens } from '../accounts.ts';
import { REFRESH_AHEAD_MS } from '../mail/oauth/token-keeper.ts';
import { type KeyValueArea, SettingsStore } from '../store/settings.ts';
import { AccountTokens } from './account-tokens.ts';

const HOUR = 3_600_000;
const TOKEN_ENDPOINT = 'https://login.example/token';

const account: Account = {
  id: 'a1',
  name: 'Work',
  color: '#2563eb',
  email: 'ann@example.org',
  protocol: 'imap',
  host: 'imap.example.org',
  port: 993,
  security: 'implicit',
  username: 'ann@example.org',
  enabled: true,
  checkIntervalMinutes: 5,
  notify: true,
  imap: { ...DEFAULT_IMAP },
  pop3: { ...DEFAULT_POP3 },
  auth: {
    method: 'oauth2',
    issuer: 'https://login.example',
    clientId: 'biff',
    tokenEndpoint: TOKEN_ENDPOINT,
    revocationEndpoint: null,
  },
};

const flush = async () => {
  for (let i = 0; i < 20; i++) await new Promise<void>((resolve) => setImmediate(resolve));
};

/**
 * AccountTokens on fake time and a memory storage area, with a token endpoint that rotates the
 * refresh token at every refresh (as oidc-provider does) and refuses a refresh token used
 * twice, and "alarms" kept as the background keeps them: one per name, fired by `advance`.
 */
async function setup() {
  const timers = new FakeTimers();
  const inner = memoryArea();
  /** Every write to storage, as the keys it set together. */
  const writes: string[][] = [];
  const area: KeyValueArea = {
    get: (keys) => inner.get(keys),
    set: async (items) => {
      writes.push(Object.keys(items));
      await inner.set(items);
    },
    remove: (keys) => inner.remove(keys),
  };
  const settings = new SettingsStore(area);
  const initial: OAuthTokens = {
    accessToken: 'access-0',
    issuedAt: 0,
    expiresAt: HOUR,
    refreshToken: 'refresh-0',
    scope: null,
  };
  await settings.saveAccount(account, { oauth: initial });
  const used: string[] = [];
  let issued = 0;
  /** Resolves the token response: held until `release()` when `hold` is set. */
  let hold = false;
  const waiting: Array<() => void> = [];
  const fetch = async (url: string, init?: RequestInit): Promise<Response> => {
    assert.equal(url, TOKEN_ENDPOINT);
    const form = new URLSearchParams(String(init?.body));
    const refreshToken = form.get('refresh_token') ?? '';
    used.push(refreshToken);
    if (hold) await new Promise<void>((resolve) => waiting.push(resolve));
    if (refreshToken !== `refresh-${issued}`) {
      return Response.json({ error: 'invalid_grant' }, { status: 400 });
    }
    issued++;
    return Response.json({
      access_token: `access-${issued}`,
      token_type: 'Bearer',
      expires_in: 3600,
      refresh_token: `refresh-${issued}`,
    });
  };
  const alarms = new Map<string, { at: number; handle: ReturnType<FakeTimers['setTimeout']> }>();
  const alarmLog: Array<[string, number | null]> = [];
  const notices: string[] = [];
  const tokens: AccountTokens = new AccountTokens({
    settings,
    fetch,
    now: () => timers.now,
    schedule: (id, at) => {
      alarmLog.push([id, at]);
      const old = alarms.get(id);
      if (old) timers.clearTimeout(old.handle);
      alarms.delete(id);
      if (at === null) return;
      const handle = timers.setTimeout(() => {
        alarms.delete(id);
        void tokens.refreshIfDue(account);
      }, at - timers.now);
      alarms.set(id, { at, handle });
    },
    onSignInNeeded: (id) => notices.push(id),
  });
  return {
    timers,
    settings,
    tokens,
    alarms,
    alarmLog,
    used,
    notices,
    writes,
    setHold: (on: boolean) => {
      hold = on;
    },
    release: () => {
      for (const resolve of waiting.splice(0)) resolve();
    },
  };
}

describe('OAuth refresh ahead of expiry, by alarm', () => {
  test('armed at start-up from the stored expiry: the alarm refreshes at expiry minus the margin and is set for the next', async () => {
    const w = await setup();
    await w.tokens.arm(account);
    assert.equal(w.alarms.get(account.id)?.at, HOUR - REFRESH_AHEAD_MS);
    w.timers.advance(HOUR - REFRESH_AHEAD_MS - 1);
    await flush();
    assert.deepEqual(w.used, [], 'not a moment early');
    w.timers.advance(1);
    await flush();
    assert.deepEqual(w.used, ['refresh-0']);
    const stored = await w.settings.getTokens(account.id);
    assert.equal(stored?.accessToken, 'access-1');
    assert.equal(stored?.refreshToken, 'refresh-1', 'the rotated refresh token is stored');
    assert.equal(stored?.expiresAt, HOUR - REFRESH_AHEAD_MS + HOUR);
    assert.equal(w.alarms.get(account.id)?.at, stored!.expiresAt - REFRESH_AHEAD_MS, 'set for the next');
    assert.equal(await w.tokens.accessToken(account), 'access-1');
    assert.equal(w.used.length, 1);
  });

  test('the rotated refresh token and its access token are saved in one write, before use', async () => {
    const w = await setup();
    await w.tokens.arm(account);
    w.writes.length = 0;
    w.timers.advance(HOUR);
    await flush();
    assert.equal(w.used.length, 1);
    assert.equal(w.writes.length, 1, `one write: ${JSON.stringify(w.writes)}`);
    // A worker that starts again (a new AccountTokens on the same storage) goes on with the rotated one.
    const again = new AccountTokens({
      settings: w.settings,
      fetch: async () => assert.fail('nothing is due'),
      now: () => w.timers.now,
      onSignInNeeded: () => {},
    });
    assert.equal(await again.accessToken(account), 'access-1');
  });

  test('a worker that slept through the alarm refreshes on demand; a late alarm then asks nothing', async () => {
    const w = await setup();
    await w.tokens.arm(account);
    // The worker slept: its alarm did not fire, and no keeper ran.
    w.timers.clearTimeout(w.alarms.get(account.id)!.handle);
    w.timers.advance(HOUR + 5_000);
    assert.equal(await w.tokens.accessToken(account), 'access-1');
    await w.tokens.refreshIfDue(account);
    assert.deepEqual(w.used, ['refresh-0']);
  });

  test('removing the account (forget) clears its alarm; a late alarm refreshes nothing', async () => {
    const w = await setup();
    await w.tokens.arm(account);
    assert.ok(w.alarms.has(account.id));
    w.tokens.forget(account.id);
    assert.equal(w.alarms.has(account.id), false);
    assert.deepEqual(w.alarmLog.at(-1), [account.id, null]);
    // An alarm an earlier worker set is cleared too, with no keeper in this one.
    const fresh = await setup();
    fresh.tokens.forget(account.id);
    assert.deepEqual(fresh.alarmLog, [[account.id, null]]);
  });

  test('one refresh in flight per account: concurrent callers share it', async () => {
    const w = await setup();
    w.timers.advance(HOUR);
    w.setHold(true);
    const asked = Promise.all([
      w.tokens.accessToken(account),
      w.tokens.accessToken(account),
      w.tokens.refresh(account),
      w.tokens.refreshIfDue(account).then(() => 'alarm'),
    ]);
    await flush();
    assert.equal(w.used.length, 1, 'one request while it is under way');
    w.release();
    assert.deepEqual(await asked, ['access-1', 'access-1', 'access-1', 'alarm']);
    assert.deepEqual(w.used, ['refresh-0']);
    assert.deepEqual(w.notices, []);
  });

  test('forgotten while its refresh is under way: the next keeper waits for it and never reuses the old refresh token', async () => {
    const w = await setup();
    w.timers.advance(HOUR);
    w.setHold(true);
    const first = w.tokens.accessToken(account);
    await flush();
    assert.equal(w.used.length, 1);
    // Signed in again, or a settings change: the keeper is forgotten mid-refresh.
    w.tokens.forget(account.id);
    const second = w.tokens.accessToken(account);
    await flush();
    assert.equal(w.used.length, 1, 'the new keeper waits');
    w.release();
    assert.equal(await first, 'access-1');
    assert.equal(await second, 'access-1', 'the rotated tokens, read after they were saved');
    assert.deepEqual(w.used, ['refresh-0']);
    assert.deepEqual(w.notices, [], 'no refused reuse, no sign-in notice');
  });

  test('a refused refresh clears the alarm and asks once', async () => {
    const w = await setup();
    await w.settings.saveTokens(account.id, {
      accessToken: 'access-0',
      issuedAt: 0,
      expiresAt: HOUR,
      refreshToken: 'revoked',
      scope: null,
    });
    await w.tokens.arm(account);
    w.timers.advance(HOUR);
    await flush();
    assert.deepEqual(w.used, ['revoked']);
    assert.equal(w.alarms.has(account.id), false);
    assert.deepEqual(w.notices, [account.id]);
    w.timers.advance(10 * HOUR);
    await w.tokens.refreshIfDue(account);
    await assert.rejects(w.tokens.accessToken(account));
    assert.equal(w.used.length, 1, 'no retry loop');
  });
});
