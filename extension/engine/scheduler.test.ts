import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AccountStatus } from '../contract.ts';
import type { SyncResult } from '../mail/sync-context.ts';
import { TransportError } from '../relay/transport.ts';
import { Scheduler } from './scheduler.ts';

function harness(run: (accountId: string, signal: AbortSignal) => Promise<SyncResult>) {
  let now = 1_000_000;
  const statuses: AccountStatus[] = [];
  const results: SyncResult[] = [];
  const scheduler = new Scheduler({
    run,
    intervalMs: () => 300_000,
    now: () => now,
    onStatus: (s) => statuses.push(s),
    onResult: (_id, r) => results.push(r),
  });
  return { scheduler, statuses, results, advance: (ms: number) => (now += ms) };
}

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

test('one sync at a time per account; a request during a sync runs once more after it', async () => {
  const gates = [deferred<SyncResult>(), deferred<SyncResult>()];
  let calls = 0;
  let concurrent = 0;
  let maxConcurrent = 0;
  const h = harness(async () => {
    const gate = gates[calls++]!;
    concurrent++;
    maxConcurrent = Math.max(maxConcurrent, concurrent);
    try {
      return await gate.promise;
    } finally {
      concurrent--;
    }
  });
  const first = h.scheduler.sync('a', 'manual');
  const second = h.scheduler.sync('a', 'push');
  const third = h.scheduler.sync('a', 'push');
  assert.equal(second, third, 'requests during a sync coalesce into one follow-up');
  gates[0]!.resolve({ newMessages: [], unread: 1 });
  assert.equal((await first).unread, 1);
  await new Promise((r) => setImmediate(r));
  assert.equal(calls, 2, 'the follow-up sync started');
  gates[1]!.resolve({ newMessages: [], unread: 2 });
  assert.equal((await second).unread, 2);
  assert.equal(maxConcurrent, 1);
  assert.equal(calls, 2);
});

test('a request made just as a sync ends joins the promised follow-up, never runs next to it', async () => {
  const gates = [deferred<SyncResult>(), deferred<SyncResult>(), deferred<SyncResult>()];
  let calls = 0;
  let concurrent = 0;
  let maxConcurrent = 0;
  const h = harness(async () => {
    const gate = gates[calls++]!;
    concurrent++;
    maxConcurrent = Math.max(maxConcurrent, concurrent);
    try {
      return await gate.promise;
    } finally {
      concurrent--;
    }
  });
  const first = h.scheduler.sync('a', 'manual');
  // A caller that acts on the first result (registered before the follow-up exists, so it runs
  // first): when it asks again, the sync has ended but its follow-up has not started yet.
  const late = first.then(() => h.scheduler.sync('a', 'alarm'));
  const followUp = h.scheduler.sync('a', 'push');
  gates[0]!.resolve({ newMessages: [], unread: 1 });
  await first;
  await new Promise((r) => setImmediate(r));
  assert.equal(calls, 2);
  gates[1]!.resolve({ newMessages: [], unread: 2 });
  assert.equal((await late).unread, 2, 'the late request got the follow-up');
  assert.equal((await followUp).unread, 2);
  assert.equal(maxConcurrent, 1);
  assert.equal(calls, 2);
});

test('forgetting an account aborts its sync, waits for it to end and drops its follow-up', async () => {
  const gate = deferred<SyncResult>();
  const signals: AbortSignal[] = [];
  const h = harness(async (_id, signal) => {
    signals.push(signal);
    return gate.promise;
  });
  const running = h.scheduler.sync('a', 'manual');
  const followUp = h.scheduler.sync('a', 'push');
  let forgotten = false;
  const forget = h.scheduler.forget('a').then(() => {
    forgotten = true;
  });
  assert.equal(signals[0]?.aborted, true);
  await new Promise((r) => setImmediate(r));
  assert.equal(forgotten, false, 'still waiting for the sync to stop');
  gate.resolve({ newMessages: [], unread: 0 });
  await forget;
  await Promise.all([running, followUp]);
  assert.equal(signals.length, 1, 'the follow-up never ran');
  assert.deepEqual(h.scheduler.statuses(), []);
});

test('accounts sync independently', async () => {
  const gate = deferred<SyncResult>();
  const started: string[] = [];
  const h = harness(async (id) => {
    started.push(id);
    return id === 'a' ? gate.promise : { newMessages: [], unread: 0 };
  });
  const a = h.scheduler.sync('a', 'manual');
  await h.scheduler.sync('b', 'manual');
  assert.deepEqual(started, ['a', 'b']);
  gate.resolve({ newMessages: [], unread: 0 });
  await a;
});

test('failures are classified, kept with the last success, and retried with backoff', async () => {
  let fail: unknown = null;
  const h = harness(async () => {
    if (fail) throw fail;
    return { newMessages: [], unread: 3 };
  });
  const ok = await h.scheduler.sync('a', 'manual');
  assert.equal(ok.state, 'idle');
  const lastSuccess = ok.lastSuccess;
  assert.equal(ok.nextCheck, lastSuccess! + 300_000);

  h.advance(10_000);
  fail = new TransportError('relay_unreachable', 'down');
  const e1 = await h.scheduler.sync('a', 'alarm');
  assert.equal(e1.state, 'error');
  assert.equal(e1.error?.kind, 'relay');
  assert.equal(e1.lastSuccess, lastSuccess, 'the last successful check is kept');
  assert.equal(e1.unread, 3, 'the last known count stays visible');
  const t1 = e1.nextCheck! - (lastSuccess! + 10_000);
  const e2 = await h.scheduler.sync('a', 'retry');
  const t2 = e2.nextCheck! - (lastSuccess! + 10_000);
  assert.ok(t2 > t1, `backoff grows: ${t1} then ${t2}`);
  assert.equal(h.scheduler.failures('a'), 2);

  fail = Object.assign(new Error('Authentication failed'), { authenticationFailed: true });
  const auth = await h.scheduler.sync('a', 'alarm');
  assert.equal(auth.error?.kind, 'auth');
  assert.equal(auth.nextCheck, null, 'a rejected password is not retried by itself');

  fail = null;
  const back = await h.scheduler.sync('a', 'manual');
  assert.equal(back.state, 'idle');
  assert.equal(back.error, undefined);
  assert.equal(h.scheduler.failures('a'), 0);
});

test('an untrusted certificate carries its details for the settings page', async () => {
  const certificate = {
    fingerprint256: 'AA:BB',
    subject: 'CN=localhost',
    issuer: 'CN=localhost',
    validFrom: 'x',
    validTo: 'y',
    reason: 'DEPTH_ZERO_SELF_SIGNED_CERT',
  };
  const h = harness(async () => {
    throw new TransportError('tls_untrusted', 'untrusted', certificate);
  });
  const s = await h.scheduler.sync('a', 'manual');
  assert.equal(s.error?.kind, 'certificate');
  assert.deepEqual(s.error?.certificate, certificate);
});

test('a status saved while syncing comes back idle or error after a worker restart', () => {
  const scheduler = new Scheduler(
    {
      run: async () => ({ newMessages: [], unread: 0 }),
      intervalMs: () => 1,
      now: () => 0,
      onStatus: () => {},
      onResult: () => {},
    },
    [
      { accountId: 'a', state: 'syncing', lastSuccess: 5, nextCheck: 9, push: false, unread: 4, failures: 0 },
      {
        accountId: 'b',
        state: 'syncing',
        lastSuccess: null,
        nextCheck: 9,
        push: false,
        unread: 0,
        failures: 2,
        error: { kind: 'relay', code: 'relay_unreachable', message: 'm' },
      },
    ],
  );
  assert.equal(scheduler.status('a').state, 'idle');
  assert.equal(scheduler.status('a').unread, 4);
  assert.equal(scheduler.status('b').state, 'error');
  assert.equal(scheduler.failures('b'), 2);
});

test('IMAP layer errors keep their code and get a plain message', async () => {
  const { ImapError } = await import('../mail/imap/errors.ts');
  const h = harness(async () => {
    throw new ImapError('connection_lost', 'dropped during STORE');
  });
  const s = await h.scheduler.sync('a', 'manual');
  assert.equal(s.error?.code, 'connection_lost');
  assert.equal(s.error?.kind, 'unreachable');
  assert.ok(s.nextCheck !== null, 'a dropped connection is retried');
});
