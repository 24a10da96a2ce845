/**
 * The order of a POP3 sync, checked on byte transcripts (test/support/transcript-transport.ts) against a
 * fake-indexeddb store: what is written to the store before each command goes out, and what a
 * refused DELE or QUIT leaves behind. Dovecot-backed tests are in test/integration/pop3-*.
 */
import assert from 'node:assert/strict';
import { test as nodeTest } from 'node:test';
import { freshDb } from '../../../test/support/store.ts';
import {
  c,
  s,
  TEST_TLS,
  type TranscriptStep,
  TranscriptTransport,
} from '../../../test/support/transcript-transport.ts';
import { type Account, DEFAULT_IMAP, DEFAULT_POP3, type Pop3Settings } from '../../accounts.ts';
import { MessagesRepo } from '../../store/messages-repo.ts';
import { Pop3Repo } from '../../store/pop3-repo.ts';
import { type BiffDatabase, POP3_FOLDER } from '../../store/schema.ts';
import type { SyncContext } from '../sync-context.ts';
import { Pop3Error } from './errors.ts';
import { type Pop3SyncOptions, syncPop3Account } from './sync.ts';

function test(name: string, fn: () => Promise<void>): void {
  nodeTest(name, { timeout: 20_000 }, fn);
}

const CAPS = ['TOP', 'UIDL', 'USER', 'RESP-CODES'];
let accounts = 0;

function account(pop3: Partial<Pop3Settings> = {}): Account {
  return {
    id: `acct-${++accounts}`,
    name: 'T',
    color: '#000',
    email: 'alice@example.org',
    protocol: 'pop3',
    host: 'pop.example.org',
    port: 995,
    security: 'implicit',
    username: 'alice',
    enabled: true,
    checkIntervalMinutes: 5,
    notify: true,
    imap: { ...DEFAULT_IMAP },
    pop3: { ...DEFAULT_POP3, ...pop3 },
  };
}

function loggedIn(caps: readonly string[] = CAPS): TranscriptStep[] {
  const capa = [c('CAPA'), s('+OK', ...caps, '.')];
  return [s('+OK ready'), ...capa, c('USER alice'), s('+OK'), c('PASS s3cret'), s('+OK in'), ...capa];
}

/** UIDL and LIST of `[n, uid, size]` messages (no PIPELINING: one after the other). */
function listing(entries: ReadonlyArray<readonly [number, string, number]>): TranscriptStep[] {
  return [
    c('UIDL'),
    s('+OK', ...entries.map(([n, uid]) => `${n} ${uid}`), '.'),
    c('LIST'),
    s('+OK', ...entries.map(([n, , size]) => `${n} ${size}`), '.'),
  ];
}

function message(i: number): string {
  return `From: s${i}@example.org\r\nSubject: message ${i}\r\nMessage-ID: <m${i}@example.org>\r\n\r\nBody ${i}.\r\n`;
}

function fetched(verb: string, i: number): TranscriptStep[] {
  return [c(verb), { server: `+OK\r\n${message(i)}.\r\n` }];
}

/** Runs a sync on a transcript; the script starts with login and ends where the test says. */
function run(
  db: BiffDatabase,
  acct: Account,
  script: readonly TranscriptStep[],
  options: Pop3SyncOptions = {},
): { transport: TranscriptTransport; sync: Promise<Awaited<ReturnType<typeof syncPop3Account>>> } {
  const transport = new TranscriptTransport([...loggedIn(), ...script], { tls: TEST_TLS });
  const ctx: SyncContext = {
    db,
    account: acct,
    password: 's3cret',
    open: async () => transport,
    now: () => Date.UTC(2024, 0, 10),
  };
  const sync = syncPop3Account(ctx, options);
  sync.catch(() => {});
  return { transport, sync };
}

/** Waits until the transcript has played up to (not including) step `index` of `script`. */
async function reach(transport: TranscriptTransport, index: number): Promise<void> {
  const target = loggedIn().length + index;
  for (let i = 0; i < 500 && transport.position < target; i++) await transport.settle();
  assert.equal(transport.position, target, 'the conversation reached the expected point');
}

async function stateOf(db: BiffDatabase, acct: Account, uid: string): Promise<string | undefined> {
  return (await new Pop3Repo(db).get(acct.id, uid))?.state;
}

test('DELE goes out only once its row is dele-pending, and the row is removed only after QUIT’s +OK', async () => {
  const db = await freshDb();
  const acct = account({ leaveCopy: false });
  const script: TranscriptStep[] = [
    ...listing([
      [1, 'u1', 80],
      [2, 'u2', 80],
    ]),
    ...fetched('RETR 1', 1),
    ...fetched('RETR 2', 2),
    c('DELE 1'),
    { hold: 'dele' },
    s('+OK'),
    c('DELE 2'),
    s('+OK'),
    c('QUIT'),
    { hold: 'quit' },
    s('+OK bye'),
  ];
  const { transport, sync } = run(db, acct, script);
  await reach(
    transport,
    script.findIndex((step) => 'hold' in step && step.hold === 'dele'),
  );
  assert.equal(await stateOf(db, acct, 'u1'), 'dele-pending', 'recorded before DELE 1 was sent');
  assert.equal(await stateOf(db, acct, 'u2'), 'dele-pending');
  transport.release('dele');
  await reach(
    transport,
    script.findIndex((step) => 'hold' in step && step.hold === 'quit'),
  );
  assert.equal(await stateOf(db, acct, 'u1'), 'dele-pending', 'not removed before QUIT answered');
  transport.release('quit');
  const result = await sync;
  transport.assertDone();
  assert.equal(await stateOf(db, acct, 'u1'), 'removed-from-server');
  assert.equal(await stateOf(db, acct, 'u2'), 'removed-from-server');
  assert.equal(result.newMessages.length, 2);
  assert.equal(result.unread, 2);
  const row = await new MessagesRepo(db).get([acct.id, POP3_FOLDER, 'u1']);
  assert.equal(row?.bodyState, 'full');
  assert.equal(row?.serverState, 'removed');
});

test('QUIT answered -ERR: the sync fails and every DELE stays pending for the next session', async () => {
  const db = await freshDb();
  const acct = account({ leaveCopy: false });
  const { transport, sync } = run(db, acct, [
    ...listing([[1, 'u1', 80]]),
    ...fetched('RETR 1', 1),
    c('DELE 1'),
    s('+OK'),
    c('QUIT'),
    s('-ERR [SYS/TEMP] some deleted messages not removed'),
  ]);
  await assert.rejects(sync, (e: unknown) => e instanceof Pop3Error && e.code === 'temporary');
  transport.assertDone();
  assert.equal(await stateOf(db, acct, 'u1'), 'dele-pending');
  assert.equal((await new MessagesRepo(db).get([acct.id, POP3_FOLDER, 'u1']))?.serverState, 'on-server');
});

test('a DELE the server refuses stays pending; the accepted ones are removed after QUIT', async () => {
  const db = await freshDb();
  const acct = account({ leaveCopy: false });
  const { transport, sync } = run(db, acct, [
    ...listing([
      [1, 'u1', 80],
      [2, 'u2', 80],
    ]),
    ...fetched('RETR 1', 1),
    ...fetched('RETR 2', 2),
    c('DELE 1'),
    s('-ERR message 1 already deleted'),
    c('DELE 2'),
    s('+OK'),
    c('QUIT'),
    s('+OK'),
  ]);
  await sync;
  transport.assertDone();
  assert.equal(await stateOf(db, acct, 'u1'), 'dele-pending');
  assert.equal(await stateOf(db, acct, 'u2'), 'removed-from-server');
});

test('pending DELEs of an earlier session are sent again; gone ones are settled by UIDL', async () => {
  const db = await freshDb();
  const acct = account({ leaveCopy: true });
  const first = run(db, acct, [
    ...listing([
      [1, 'u1', 80],
      [2, 'u2', 80],
    ]),
    ...fetched('RETR 1', 1),
    ...fetched('RETR 2', 2),
    c('QUIT'),
    s('+OK'),
  ]);
  await first.sync;
  const pop3 = new Pop3Repo(db);
  await pop3.markDeletePending(acct.id, ['u1', 'u2']);
  // u1 was removed by a QUIT whose reply we never saw; u2 is still there (renumbered 1).
  const second = run(db, acct, [...listing([[1, 'u2', 80]]), c('DELE 1'), s('+OK'), c('QUIT'), s('+OK')]);
  const result = await second.sync;
  second.transport.assertDone();
  assert.deepEqual(result.newMessages, []);
  assert.equal(await stateOf(db, acct, 'u1'), 'removed-from-server');
  assert.equal(await stateOf(db, acct, 'u2'), 'removed-from-server');
});

test('with leave-a-copy off, a message stored headers-only is never deleted', async () => {
  const db = await freshDb();
  const acct = account({ leaveCopy: false, headersOnlyAboveBytes: 1000 });
  const { transport, sync } = run(db, acct, [
    ...listing([
      [1, 'big', 5000],
      [2, 'small', 80],
    ]),
    ...fetched('RETR 2', 2),
    ...fetched('TOP 1 0', 1),
    c('DELE 2'),
    s('+OK'),
    c('QUIT'),
    s('+OK'),
  ]);
  await sync;
  transport.assertDone();
  assert.equal(await stateOf(db, acct, 'big'), 'stored');
  assert.equal((await new MessagesRepo(db).get([acct.id, POP3_FOLDER, 'big']))?.bodyState, 'headers');
  assert.equal(await stateOf(db, acct, 'small'), 'removed-from-server');
});

test('without TOP: RETR within the cap, a size-only row above it, and neither is lost', async () => {
  const db = await freshDb();
  const acct = account({ leaveCopy: false, headersOnlyAboveBytes: 100 });
  const caps = ['UIDL', 'USER'];
  const transport = new TranscriptTransport(
    [
      ...loggedIn(caps),
      ...listing([
        [1, 'mid', 500],
        [2, 'huge', 5000],
      ]),
      ...fetched('RETR 1', 1),
      c('DELE 1'),
      s('+OK'),
      c('QUIT'),
      s('+OK'),
    ],
    { tls: TEST_TLS },
  );
  const ctx: SyncContext = {
    db,
    account: acct,
    password: 's3cret',
    open: async () => transport,
    now: () => Date.UTC(2024, 0, 10),
  };
  const result = await syncPop3Account(ctx, { maxMessageBytes: 1000 });
  transport.assertDone();
  assert.equal(result.newMessages.length, 2);
  const messages = new MessagesRepo(db);
  assert.equal((await messages.get([acct.id, POP3_FOLDER, 'mid']))?.bodyState, 'full');
  const huge = await messages.get([acct.id, POP3_FOLDER, 'huge']);
  assert.equal(huge?.bodyState, 'none');
  assert.equal(huge?.size, 5000);
  assert.equal(await stateOf(db, acct, 'huge'), 'stored', 'listed, known, and left on the server');
});

test('a sync that fails mid-download keeps what it stored and sends no DELE', async () => {
  const db = await freshDb();
  const acct = account({ leaveCopy: false });
  const { transport, sync } = run(db, acct, [
    ...listing([
      [1, 'u1', 80],
      [2, 'u2', 80],
    ]),
    ...fetched('RETR 1', 1),
    c('RETR 2'),
    { server: `+OK\r\n${message(2).slice(0, 20)}` },
    { close: null },
  ]);
  await assert.rejects(sync, (e: unknown) => e instanceof Pop3Error && e.code === 'closed');
  transport.assertDone();
  assert.equal(await stateOf(db, acct, 'u1'), 'stored');
  assert.equal(await stateOf(db, acct, 'u2'), undefined, 'the half-received message left no trace');
  assert.deepEqual(await new MessagesRepo(db).uidsInFolder(acct.id, POP3_FOLDER), ['u1']);
  assert.ok(!transport.sent.includes('DELE'));
});

test('limits are validated, not defaulted', async () => {
  const db = await freshDb();
  const ctx = (pop3: Partial<Pop3Settings>): SyncContext => ({
    db,
    account: account(pop3),
    password: 'x',
    open: async () => {
      throw new Error('must not connect');
    },
    now: () => 0,
  });
  await assert.rejects(syncPop3Account(ctx({ headersOnlyAboveBytes: -1 })), RangeError);
  await assert.rejects(syncPop3Account(ctx({ headersOnlyAboveBytes: Number.NaN })), RangeError);
  await assert.rejects(syncPop3Account(ctx({}), { maxMessageBytes: 0 }), RangeError);
  await assert.rejects(syncPop3Account(ctx({}), { maxMessageBytes: 1e12 }), RangeError);
});
