import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FakeTimers } from '../../../test/support/fake-timers.ts';
import { OAuthError } from './errors.ts';
import { REFRESH_AHEAD_MS, refreshDueAt, TokenKeeper } from './token-keeper.ts';
import type { TokenSet } from './tokens.ts';

const HOUR = 3_600_000;

function tokens(n: number, issuedAt: number, lifetime = HOUR): TokenSet {
  return {
    accessToken: `access-${n}`,
    issuedAt,
    expiresAt: issuedAt + lifetime,
    refreshToken: `refresh-${n}`,
    scope: null,
  };
}

/**
 * A keeper on fake time whose token endpoint is scripted, and an owner that sets one "alarm"
 * where the keeper asks (as the background does with browser.alarms) and wakes it then.
 */
function setup(options: { lifetime?: number; refuse?: boolean } = {}) {
  const timers = new FakeTimers();
  const lifetime = options.lifetime ?? HOUR;
  const refreshed: string[] = [];
  const saved: TokenSet[] = [];
  const signInNeeded: OAuthError[] = [];
  /** Every time the keeper asked for (null: cleared). */
  const scheduled: Array<number | null> = [];
  let alarm: ReturnType<FakeTimers['setTimeout']> | null = null;
  let failNext: Error | null = null;
  let n = 0;
  const keeper: TokenKeeper = new TokenKeeper(
    {
      now: () => timers.now,
      schedule: (at) => {
        scheduled.push(at);
        if (alarm !== null) timers.clearTimeout(alarm);
        alarm = at === null ? null : timers.setTimeout(() => void keeper.refreshIfDue(), at - timers.now);
      },
      refresh: async (refreshToken) => {
        refreshed.push(refreshToken);
        if (failNext) {
          const error = failNext;
          failNext = null;
          throw error;
        }
        if (options.refuse) throw new OAuthError('invalid_grant', 'refused');
        n++;
        return tokens(n, timers.now, lifetime);
      },
      save: async (next) => {
        saved.push(next);
      },
      onSignInNeeded: (error) => signInNeeded.push(error),
    },
    tokens(0, 0, lifetime),
  );
  return {
    timers,
    keeper,
    refreshed,
    saved,
    signInNeeded,
    scheduled,
    failOnce: (error: Error) => {
      failNext = error;
    },
  };
}

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('token expiry scheduling', () => {
  test('refresh a minute ahead, or halfway through a short lifetime', () => {
    assert.equal(refreshDueAt({ issuedAt: 0, expiresAt: HOUR }), HOUR - REFRESH_AHEAD_MS);
    assert.equal(refreshDueAt({ issuedAt: 1_000, expiresAt: 11_000 }), 6_000);
    assert.equal(refreshDueAt({ issuedAt: 5, expiresAt: 5 }), 5);
  });

  test('the alarm refreshes ahead of expiry, saves before use, and is set for the next one', async () => {
    const { timers, keeper, refreshed, saved, scheduled } = setup();
    assert.deepEqual(scheduled, [HOUR - REFRESH_AHEAD_MS], 'set at once, from the tokens it was given');
    assert.equal(await keeper.accessToken(), 'access-0');
    timers.advance(HOUR - REFRESH_AHEAD_MS - 1);
    await flush();
    assert.deepEqual(refreshed, []);
    timers.advance(1);
    await flush();
    assert.deepEqual(refreshed, ['refresh-0']);
    assert.equal(saved.length, 1);
    assert.equal(await keeper.accessToken(), 'access-1');
    assert.deepEqual(scheduled, [HOUR - REFRESH_AHEAD_MS, 2 * HOUR - 2 * REFRESH_AHEAD_MS]);
    assert.equal(timers.count, 1, 'the next refresh is scheduled');
    timers.advance(HOUR - REFRESH_AHEAD_MS);
    await flush();
    assert.deepEqual(refreshed, ['refresh-0', 'refresh-1'], 'the rotated refresh token is used');
  });

  test('a 10 s token keeps being refreshed every 5 s, never before', async () => {
    const { timers, keeper, refreshed } = setup({ lifetime: 10_000 });
    for (let i = 1; i <= 4; i++) {
      timers.advance(4_999);
      await flush();
      assert.equal(refreshed.length, i - 1);
      timers.advance(1);
      await flush();
      assert.equal(refreshed.length, i);
      assert.equal(await keeper.accessToken(), `access-${i}`);
    }
  });

  test('an alarm that fires early, or one left from older tokens, is set again and refreshes nothing', async () => {
    const { timers, keeper, refreshed, scheduled } = setup();
    timers.advance(10_000);
    await keeper.refreshIfDue();
    assert.deepEqual(refreshed, []);
    assert.deepEqual(scheduled, [HOUR - REFRESH_AHEAD_MS, HOUR - REFRESH_AHEAD_MS]);
  });

  test('no refresh token: no alarm, and the first due use asks for a sign-in without a request', async () => {
    const timers = new FakeTimers();
    const scheduled: Array<number | null> = [];
    const notices: OAuthError[] = [];
    const keeper = new TokenKeeper(
      {
        now: () => timers.now,
        schedule: (at) => scheduled.push(at),
        refresh: async () => assert.fail('no request'),
        save: async () => {},
        onSignInNeeded: (e) => notices.push(e),
      },
      { ...tokens(0, 0), refreshToken: null },
    );
    assert.deepEqual(scheduled, [null]);
    timers.advance(HOUR);
    await assert.rejects(keeper.accessToken(), (e) => e instanceof OAuthError && e.code === 'invalid_grant');
    assert.equal(notices.length, 1);
  });

  test('stopped (account removed, signed in again): a late alarm refreshes nothing and sets nothing', async () => {
    const { timers, keeper, refreshed, scheduled } = setup();
    keeper.stop();
    timers.advance(2 * HOUR);
    await keeper.refreshIfDue();
    await flush();
    assert.deepEqual(refreshed, []);
    assert.deepEqual(scheduled, [HOUR - REFRESH_AHEAD_MS]);
  });

  test('without alarms (a worker that slept through them), a due token is refreshed on demand', async () => {
    const { timers, keeper, refreshed } = setup();
    keeper.stop();
    timers.advance(2 * HOUR);
    assert.deepEqual(refreshed, []);
    assert.equal(await keeper.accessToken(), 'access-1');
    assert.deepEqual(refreshed, ['refresh-0']);
  });

  test('concurrent callers share one refresh: on demand, the alarm and a refused login at once', async () => {
    const { timers, keeper, refreshed } = setup();
    // The alarm fires: its refresh is under way when the others ask.
    timers.advance(HOUR);
    const got = await Promise.all([
      keeper.accessToken(),
      keeper.accessToken(),
      keeper.refresh().then((t) => t.accessToken),
      keeper.refreshIfDue().then(() => keeper.current.accessToken),
    ]);
    assert.deepEqual(got, ['access-1', 'access-1', 'access-1', 'access-1']);
    assert.equal(refreshed.length, 1);
  });

  test('an auth failure refreshes once and retries once; a second failure is final for that call', async () => {
    const { keeper, refreshed } = setup();
    const used: string[] = [];
    const authFailure = new Error('AUTHENTICATIONFAILED');
    const isAuth = (e: unknown) => e === authFailure;
    const result = await keeper.withToken(async (token) => {
      used.push(token);
      if (token === 'access-0') throw authFailure;
      return 'mail';
    }, isAuth);
    assert.equal(result, 'mail');
    assert.deepEqual(used, ['access-0', 'access-1']);
    used.length = 0;
    await assert.rejects(
      keeper.withToken(async (token) => {
        used.push(token);
        throw authFailure;
      }, isAuth),
      (e) => e === authFailure,
    );
    assert.deepEqual(used, ['access-1', 'access-2']);
    assert.equal(refreshed.length, 2);
  });

  test('other failures are not retried', async () => {
    const { keeper, refreshed } = setup();
    const other = new Error('connection reset');
    let calls = 0;
    await assert.rejects(
      keeper.withToken(
        async () => {
          calls++;
          throw other;
        },
        () => false,
      ),
      (e) => e === other,
    );
    assert.equal(calls, 1);
    assert.equal(refreshed.length, 0);
  });

  test('a refused refresh is final: one sign-in notice, no more requests, the alarm cleared', async () => {
    const { timers, keeper, refreshed, signInNeeded, scheduled } = setup({ refuse: true });
    timers.advance(HOUR);
    await flush();
    assert.equal(refreshed.length, 1);
    for (let i = 0; i < 3; i++) {
      await assert.rejects(
        keeper.accessToken(),
        (e) => e instanceof OAuthError && e.code === 'invalid_grant',
      );
    }
    timers.advance(10 * HOUR);
    await flush();
    assert.equal(refreshed.length, 1, 'no retry loop');
    assert.equal(signInNeeded.length, 1);
    assert.equal(timers.count, 0);
    assert.equal(scheduled.at(-1), null);
    await keeper.refreshIfDue();
    assert.equal(refreshed.length, 1);
    assert.equal(keeper.signInNeeded?.code, 'invalid_grant');
  });

  test('a network failure is not final: the next call tries again', async () => {
    const { timers, keeper, refreshed, signInNeeded, failOnce } = setup();
    keeper.stop();
    timers.advance(HOUR);
    failOnce(new OAuthError('network', 'offline'));
    await assert.rejects(keeper.accessToken(), (e) => e instanceof OAuthError && e.code === 'network');
    assert.equal(await keeper.accessToken(), 'access-1');
    assert.equal(refreshed.length, 2);
    assert.equal(signInNeeded.length, 0);
  });

  test('a failed save leaves the old tokens in use', async () => {
    const timers = new FakeTimers();
    const keeper = new TokenKeeper(
      {
        now: () => timers.now,
        refresh: async () => tokens(1, timers.now),
        save: async () => {
          throw new Error('quota');
        },
      },
      tokens(0, 0),
    );
    timers.advance(HOUR);
    await assert.rejects(keeper.accessToken(), /quota/);
    assert.equal(keeper.current.accessToken, 'access-0');
  });
});
