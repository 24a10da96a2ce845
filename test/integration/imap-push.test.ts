import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { PushState } from '../../extension/mail/driver.ts';
import { fetchBodyOnSession } from '../../extension/mail/imap/body.ts';
import { ImapPush } from '../../extension/mail/imap/idle.ts';
import { syncImapAccount } from '../../extension/mail/imap/sync.ts';
import type { SyncResult } from '../../extension/mail/sync-context.ts';
import { BodiesRepo } from '../../extension/store/bodies-repo.ts';
import { PendingRepo } from '../../extension/store/pending-repo.ts';
import { makeMessage } from '../servers/messages.ts';
import { waitFor } from './engine-world.ts';
import { appendMessages, ImapWorld } from './imap-helpers.ts';

let world: ImapWorld;
let noIdleWorld: ImapWorld;
before(async () => {
  [world, noIdleWorld] = await Promise.all([ImapWorld.start(), ImapWorld.start({ idle: false, users: 2 })]);
});
after(async () => {
  await Promise.all([world?.stop(), noIdleWorld?.stop()]);
});

/** An ImapPush that records what it reports. */
function recordingPush(ctx: ReturnType<ImapWorld['ctx']>, extra: { pollIntervalMs?: number } = {}) {
  const results: SyncResult[] = [];
  const states: PushState[] = [];
  const syncStarts: number[] = [];
  const errors: unknown[] = [];
  const push = new ImapPush({
    context: () => ctx,
    onChange: (result) => results.push(result),
    onState: (state) => {
      states.push(state);
      if (state === 'syncing') syncStarts.push(performance.now());
    },
    onError: (error) => errors.push(error),
    backoffMs: [100, 200, 400],
    ...extra,
  });
  return { push, results, states, errors, syncStarts };
}

test('IDLE push: new mail reaches onChange on the same connection, about as fast as a plain IDLE client', async () => {
  const user = world.newUser();
  const other = await world.other(user);
  await appendMessages(other, 'INBOX', 3);
  const db = await world.db();
  const account = world.account(user);
  const ctx = world.ctx(db, account);
  await syncImapAccount(ctx);
  const { push, results, states, syncStarts } = recordingPush(ctx);
  // A plain imapflow client idling on the same INBOX: Dovecot's own notification time.
  const watcher = await world.other(user);
  await watcher.mailboxOpen('INBOX');
  let watcherSaw = 0;
  watcher.on('exists', () => {
    watcherSaw = performance.now();
  });
  void watcher.idle();
  try {
    push.start();
    await waitFor(() => states.at(-1) === 'idle' && results.length >= 1, 15_000, 'push connected');
    assert.deepEqual(results[0]?.newMessages, [], 'the catch-up sync found nothing new');
    assert.equal(results[0]?.unread, 3);

    for (let round = 0; round < 3; round++) {
      const before = results.length;
      const message = makeMessage(50 + round, { size: 'small' });
      watcherSaw = 0;
      const sent = performance.now();
      await other.append('INBOX', message.raw, [], message.date);
      await waitFor(
        () => results.some((r, i) => i >= before && r.newMessages.length > 0),
        10_000,
        'onChange',
      );
      const pushed = performance.now();
      await waitFor(() => watcherSaw > 0, 10_000, 'the plain IDLE client');
      const result = results.slice(before).find((r) => r.newMessages.length > 0)!;
      assert.deepEqual(
        result.newMessages.map((m) => m.subject),
        [message.subject],
      );
      assert.equal(result.unread, 4 + round);
      // Dovecot batches IDLE notifications (~0.5 s), separately for each session, so the
      // notification itself varies between the two; "sync" is our part: EXISTS to onChange.
      const syncMs = pushed - (syncStarts.at(-1) ?? pushed);
      console.log(
        `push: onChange ${(pushed - sent).toFixed(0)} ms after APPEND (sync ${syncMs.toFixed(0)} ms); plain IDLE client: ${(watcherSaw - sent).toFixed(0)} ms`,
      );
      await waitFor(() => states.at(-1) === 'idle', 10_000, 'idle again');
    }
    assert.ok(push.connected);

    // Flags changed elsewhere arrive as FETCH notifications and are applied.
    const before = results.length;
    await other.mailboxOpen('INBOX');
    await other.messageFlagsAdd('1', ['\\Seen'], { uid: true });
    await waitFor(() => results.slice(before).some((r) => r.unread === 5), 10_000, 'flag change');
  } finally {
    await push.stop();
    await watcher.logout().catch(() => watcher.close());
  }
  assert.equal(push.state, 'stopped');
  assert.equal(push.connected, false);
});

test('the push connection downloads bodies and sends queued actions right away', async () => {
  const user = world.newUser();
  const other = await world.other(user);
  await appendMessages(other, 'INBOX', 2);
  const db = await world.db();
  const account = world.account(user);
  const ctx = world.ctx(db, account);
  await syncImapAccount(ctx);
  const { push, results, states } = recordingPush(ctx);
  push.start();
  try {
    await waitFor(() => states.at(-1) === 'idle', 15_000, 'push connected');
    // Opening a message over the push connection: no second login.
    const body = await push.run((session) => fetchBodyOnSession(session, 'INBOX', 1));
    assert.ok(body?.complete);
    assert.equal((await new BodiesRepo(db).get([account.id, 'INBOX', 1]))?.complete, true);
    const pending = new PendingRepo(db);
    await pending.markSeenLocally([[account.id, 'INBOX', 2]], true, Date.now());
    assert.equal(await push.flushPending(), true);
    assert.deepEqual(await pending.peekAll(account.id), []);
    await other.mailboxOpen('INBOX');
    const message = await other.fetchOne('2', { flags: true }, { uid: true });
    assert.ok(message);
    assert.equal(message.flags?.has('\\Seen'), true);
    await waitFor(() => results.at(-1)?.unread === 1, 10_000, 'sync after the flush');
  } finally {
    await push.stop();
  }
  assert.equal(await push.flushPending(), false, 'not connected after stop');
  assert.equal(await push.run(async () => 1), null);
});

test('mail that arrives while a job has another folder selected is still seen once push is back on INBOX', async () => {
  const user = world.newUser();
  const other = await world.other(user);
  await other.mailboxCreate('Work');
  const db = await world.db();
  const ctx = world.ctx(db, world.account(user, { folders: ['INBOX', 'Work'] }));
  await syncImapAccount(ctx);
  const { push, results, states } = recordingPush(ctx);
  push.start();
  try {
    await waitFor(() => states.at(-1) === 'idle', 15_000, 'push connected');
    const m = makeMessage(12, { size: 'small', seed: 83 });
    // A job on the push connection selects another folder; the mail reaches INBOX meanwhile,
    // so the SELECT that takes push back to INBOX counts it without any EXISTS event.
    await push.run(async (session) => {
      await session.client.mailboxOpen('Work');
      await other.append('INBOX', m.raw, [], m.date);
    });
    await waitFor(
      () => results.some((r) => r.newMessages.some((n) => n.subject === m.subject)),
      10_000,
      'the message announced',
    );
    assert.equal(states.at(-1), 'idle');
  } finally {
    await push.stop();
  }
});

test('push survives a relay restart: it reconnects and catches up', async () => {
  const user = world.newUser();
  const other = await world.other(user);
  const db = await world.db();
  const account = world.account(user);
  const ctx = world.ctx(db, account);
  await syncImapAccount(ctx);
  const { push, results, states, errors } = recordingPush(ctx);
  push.start();
  try {
    await waitFor(() => states.at(-1) === 'idle', 15_000, 'push connected');
    await world.stopRelay();
    await waitFor(() => states.includes('waiting'), 10_000, 'noticed the drop');
    assert.ok(errors.length > 0);
    // Mail arrives while the relay is down.
    const missed = makeMessage(70, { size: 'small' });
    await other.append('INBOX', missed.raw, [], missed.date);
    const before = results.length;
    await world.restartRelay();
    await waitFor(
      () => results.slice(before).some((r) => r.newMessages.some((m) => m.subject === missed.subject)),
      20_000,
      'caught up after reconnecting',
    );
    await waitFor(() => states.at(-1) === 'idle', 10_000, 'idle again');
    const next = makeMessage(71, { size: 'small' });
    const count = results.length;
    await other.append('INBOX', next.raw, [], next.date);
    await waitFor(
      () => results.slice(count).some((r) => r.newMessages.some((m) => m.subject === next.subject)),
      10_000,
      'push works on the new connection',
    );
  } finally {
    await push.stop();
  }
});

test('a wrong password stops the push instead of retrying', async () => {
  const user = world.newUser();
  const db = await world.db();
  const ctx = world.ctx(db, world.account(user), { password: 'wrong password' });
  const { push, states, errors } = recordingPush(ctx);
  push.start();
  await waitFor(() => states.at(-1) === 'failed', 10_000, 'failed');
  assert.equal(errors.length, 1);
  assert.equal((errors[0] as { authenticationFailed?: boolean }).authenticationFailed, true);
  await push.stop();
});

test('a refused login is renewed once: push logs in again at once with the new credentials; refused twice, it stops', async () => {
  const user = world.newUser();
  const db = await world.db();
  const good = world.ctx(db, world.account(user));
  // The credentials push reads at each (re)connection; `renew` replaces them, as an OAuth
  // account's refresh replaces its access token.
  let ctx = { ...good, password: 'expired token' };
  let renewals = 0;
  const states: PushState[] = [];
  const push = new ImapPush({
    context: () => ctx,
    onChange: () => {},
    onState: (state) => states.push(state),
    backoffMs: [100],
    renew: async () => {
      renewals++;
      ctx = good;
      return true;
    },
  });
  push.start();
  try {
    await waitFor(() => states.at(-1) === 'idle', 15_000, 'logged in with the renewed credentials');
    assert.equal(renewals, 1);
    assert.ok(!states.includes('waiting'), `no backoff before the second login: ${states.join(' ')}`);
  } finally {
    await push.stop();
  }

  // Renewed, and refused again: the new credentials do not help either; push stops.
  ctx = { ...good, password: 'still wrong' };
  let asked = 0;
  const stubborn = new ImapPush({
    context: () => ctx,
    onChange: () => {},
    onState: (state) => states.push(state),
    backoffMs: [100],
    renew: async () => {
      asked++;
      return true;
    },
  });
  states.length = 0;
  stubborn.start();
  await waitFor(() => states.at(-1) === 'failed', 15_000, 'failed');
  assert.equal(asked, 1, 'renewed once, not in a loop');
  await stubborn.stop();

  // No credentials to be had (the sign-in is gone): push stops at once.
  let refused = 0;
  const signedOut = new ImapPush({
    context: () => ctx,
    onChange: () => {},
    onState: (state) => states.push(state),
    backoffMs: [100],
    renew: async () => {
      refused++;
      return false;
    },
  });
  states.length = 0;
  signedOut.start();
  await waitFor(() => states.at(-1) === 'failed', 15_000, 'failed');
  assert.equal(refused, 1);
  await signedOut.stop();
});

test('without IDLE the push polls with NOOP and still sees new mail', async () => {
  const user = noIdleWorld.newUser();
  const other = await noIdleWorld.other(user);
  const db = await noIdleWorld.db();
  const account = noIdleWorld.account(user);
  const ctx = noIdleWorld.ctx(db, account);
  await syncImapAccount(ctx);
  const { push, results, states } = recordingPush(ctx, { pollIntervalMs: 300 });
  push.start();
  try {
    await waitFor(() => states.at(-1) === 'idle', 15_000, 'push connected');
    const message = makeMessage(80, { size: 'small' });
    await other.append('INBOX', message.raw, [], message.date);
    await waitFor(
      () => results.some((r) => r.newMessages.some((m) => m.subject === message.subject)),
      10_000,
      'the poll found the new mail',
    );
  } finally {
    await push.stop();
  }
});
