/**
 * Biff against GNU Mailutils imap4d (a server of its own, test/servers/imap4d.ts) through the
 * real relay. imap4d's IDLE answers `+ idling` and then stays silent: it looks at the mailbox
 * only when the client sends a line. New mail still arrives by push, because every quiet
 * connection gets a NOOP (ending IDLE with DONE first) within IMAP_SOCKET_TIMEOUT_MS, not at the
 * next scheduled check five minutes later (RELIABILITY.md, "The bound on a dead connection").
 */
import 'fake-indexeddb/auto';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ImapFlow } from 'imapflow';
import WebSocket from 'ws';
import { type Account, DEFAULT_IMAP, DEFAULT_POP3 } from '../../extension/accounts.ts';
import type { PushState } from '../../extension/mail/driver.ts';
import { IMAP_SOCKET_TIMEOUT_MS } from '../../extension/mail/imap/client.ts';
import { ImapPush } from '../../extension/mail/imap/idle.ts';
import { syncImapAccount } from '../../extension/mail/imap/sync.ts';
import type { SyncContext, SyncResult } from '../../extension/mail/sync-context.ts';
import { relayTransportFactory, type WebSocketConstructor } from '../../extension/relay/relay-socket.ts';
import type { TransportFactory } from '../../extension/relay/transport.ts';
import { MessagesRepo } from '../../extension/store/messages-repo.ts';
import { PendingRepo } from '../../extension/store/pending-repo.ts';
import { type BiffDatabase, openBiffDb } from '../../extension/store/schema.ts';
import { type RunningRelay, startRelay } from '../relay/helpers.ts';
import { type Imap4dServer, startImap4d } from '../servers/imap4d.ts';
import { makeMailbox, makeMessage } from '../servers/messages.ts';
import { unique } from '../support/server-world.ts';
import { waitFor } from './engine-world.ts';

const PASSWORD = 'Tr0ub4dor&3 horse';
const USERS = ['alice', 'bob'];

let server: Imap4dServer;
let relay: RunningRelay;
const dbs: BiffDatabase[] = [];
const others: ImapFlow[] = [];

before(async () => {
  server = await startImap4d({ users: USERS.map((user) => ({ user, pass: PASSWORD })) });
  relay = await startRelay({ args: ['--allow-port', String(server.port)] });
});
after(async () => {
  for (const db of dbs) db.close();
  for (const client of others) await client.logout().catch(() => client.close());
  await relay?.stop();
  await server?.stop();
});

/** An IMAP account on imap4d over implicit TLS, its self-signed certificate trusted by its pin. */
function account(user: string): Account {
  return {
    id: unique('acct'),
    name: `imap4d ${user}`,
    color: '#2563eb',
    email: server.login(user),
    protocol: 'imap',
    host: server.host,
    port: server.port,
    security: 'implicit',
    username: server.login(user),
    pin: server.fingerprint256,
    enabled: true,
    checkIntervalMinutes: 5,
    notify: true,
    imap: { ...DEFAULT_IMAP },
    pop3: { ...DEFAULT_POP3 },
  };
}

/** Connections through the relay, as the extension opens them; `opened` counts them. */
function counting(): { open: TransportFactory; opened: () => number } {
  const open = relayTransportFactory(
    { url: relay.url, token: relay.token },
    { WebSocket: WebSocket as unknown as WebSocketConstructor },
  );
  let n = 0;
  return {
    open: (target) => {
      n++;
      return open(target);
    },
    opened: () => n,
  };
}

async function context(user: string, open: TransportFactory): Promise<SyncContext> {
  const db = await openBiffDb(unique('biff-imap4d-'));
  dbs.push(db);
  return { db, account: account(user), password: PASSWORD, open, now: () => Date.now() };
}

/** "Another client": imapflow straight to imap4d (not through the relay), the certificate as its only CA. */
async function other(user: string): Promise<ImapFlow> {
  const client = new ImapFlow({
    host: server.host,
    port: server.port,
    secure: true,
    servername: 'localhost',
    tls: { ca: [server.certPem] },
    auth: { user: server.login(user), pass: PASSWORD },
    logger: false,
    disableAutoIdle: true,
  });
  client.on('error', () => {});
  await client.connect();
  others.push(client);
  return client;
}

/** The flags imap4d holds for `uid` of INBOX, as another session sees them now. */
async function serverFlags(client: ImapFlow, uid: number): Promise<Set<string> | null> {
  const lock = await client.getMailboxLock('INBOX');
  try {
    await client.noop();
    const message = await client.fetchOne(String(uid), { flags: true }, { uid: true });
    return message ? (message.flags ?? new Set()) : null;
  } finally {
    lock.release();
  }
}

/** Commands the push and sync sessions sent, from imap4d's transcripts. */
function clientLines(pattern: RegExp): string[] {
  return server
    .logs()
    .split('\n')
    .filter((line) => /^imap4d: C: /.test(line) && pattern.test(line));
}

test('imap4d: mail delivered while push idles arrives by push, on the push connection alone; read and delete reach the server once', async () => {
  const user = USERS[0]!;
  const deliver = await other(user);
  const old = makeMailbox(3, { size: 'small', seed: 61 });
  for (const m of old) await deliver.append('INBOX', m.raw, [], m.date);

  // The first sync, on a connection of its own.
  const { open, opened } = counting();
  const ctx = await context(user, open);
  const first = await syncImapAccount(ctx);
  assert.deepEqual(first.newMessages, [], 'a first sync announces nothing');
  assert.equal(first.unread, 3);
  const messages = new MessagesRepo(ctx.db);
  const stored = async () =>
    (await messages.listNewest({ limit: 100, accountId: ctx.account.id, folder: 'INBOX' })).rows;
  assert.deepEqual((await stored()).map((r) => r.subject).sort(), old.map((m) => m.subject).sort());

  // Push connects (no scheduler runs in this test: a check can only come from push itself).
  const results: SyncResult[] = [];
  const states: Array<{ state: PushState; at: number }> = [];
  const errors: unknown[] = [];
  const push = new ImapPush({
    context: () => ctx,
    onChange: (result) => results.push(result),
    onState: (state) => states.push({ state, at: performance.now() }),
    onError: (error) => errors.push(error),
    backoffMs: [500],
  });
  const connectionsBefore = opened();
  push.start();
  try {
    await waitFor(() => states.at(-1)?.state === 'idle' && results.length >= 1, 30_000, 'push connected');
    assert.deepEqual(results[0]?.newMessages, [], 'the catch-up sync found nothing new');
    assert.equal(opened(), connectionsBefore + 1, 'push opened one connection');

    for (let round = 0; round < 2; round++) {
      const before = results.length;
      const message = makeMessage(70 + round, { size: 'small', seed: 62 });
      const sent = performance.now();
      await deliver.append('INBOX', message.raw, [], message.date);
      // imap4d says nothing during IDLE: without a line from Biff this never resolves. The wait
      // is only a test timeout, above the reply deadline's two rounds.
      await waitFor(
        () => results.slice(before).some((r) => r.newMessages.length > 0),
        4 * IMAP_SOCKET_TIMEOUT_MS,
        'new mail by push',
      );
      const arrived = performance.now();
      const result = results.slice(before).find((r) => r.newMessages.length > 0)!;
      assert.deepEqual(
        result.newMessages.map((m) => m.subject),
        [message.subject],
      );
      assert.equal(result.unread, 4 + round);
      assert.ok(
        (await stored()).some((r) => r.subject === message.subject),
        'in the store',
      );
      // How it came: the push connection's own sync, with no other connection opened (no
      // check ran, scheduled or otherwise), so the 5-minute timer played no part.
      assert.equal(opened(), connectionsBefore + 1, 'still the one push connection');
      assert.deepEqual(errors, [], 'the push connection never failed');
      console.log(
        `imap4d push: new mail in the store ${((arrived - sent) / 1000).toFixed(1)} s after delivery (reply deadline ${IMAP_SOCKET_TIMEOUT_MS / 1000} s)`,
      );
      await waitFor(() => states.at(-1)?.state === 'idle', 30_000, 'idle again');
    }
    // imap4d saw IDLE, and the DONE that ended it, from the push connection.
    assert.ok(clientLines(/ IDLE$/).length >= 2, 'IDLE was sent');
    assert.ok(clientLines(/^imap4d: C: DONE$/).length >= 1, 'and ended by Biff');

    // Read the newest, delete the oldest: queued here, sent on the push connection.
    const rows = await stored();
    const newest = rows.find((r) => r.subject === makeMessage(71, { size: 'small', seed: 62 }).subject)!;
    const oldest = rows.find((r) => r.subject === old[0]!.subject)!;
    const pending = new PendingRepo(ctx.db);
    await pending.markSeenLocally([[ctx.account.id, 'INBOX', newest.uid]], true);
    await pending.deleteLocally([[ctx.account.id, 'INBOX', oldest.uid]]);
    assert.equal(await push.flushPending(), true);
    assert.deepEqual(await pending.peekAll(ctx.account.id), [], 'the queue is empty');
    assert.equal((await serverFlags(deliver, Number(newest.uid)))?.has('\\Seen'), true, 'read on the server');
    // No UIDPLUS: the delete sets \Deleted and leaves the expunge to the user's other client
    // (a plain EXPUNGE would also remove what others marked); \Seen with it, or STATUS UNSEEN
    // (the badge) would count the deleted message until someone expunges it.
    const deleted = await serverFlags(deliver, Number(oldest.uid));
    assert.equal(deleted?.has('\\Deleted'), true, 'deleted on the server');
    assert.equal(deleted?.has('\\Seen'), true, 'and not counted unread there');

    // A full sync after: the deleted message stays gone here, the read one read, nothing sent again.
    const check = await push.runJob({
      kind: 'sync',
      signal: new AbortController().signal,
      onProgress: () => {},
    });
    assert.ok(check, 'the check ran on the push connection');
    assert.deepEqual(check.newMessages, []);
    assert.equal(check.unread, 3, 'the badge: 5 messages, 1 read, 1 deleted');
    const after = await stored();
    assert.equal(after.length, 4);
    assert.ok(!after.some((r) => r.uid === oldest.uid));
    assert.equal(after.find((r) => r.uid === newest.uid)?.seen, true);
    assert.equal(
      clientLines(new RegExp(` UID STORE ${newest.uid} \\+FLAGS.*\\\\Seen`)).length,
      1,
      'one STORE \\Seen',
    );
    assert.equal(
      clientLines(new RegExp(` UID STORE ${oldest.uid} \\+FLAGS.*\\\\Deleted`)).length,
      1,
      'one STORE \\Deleted',
    );
    assert.equal(opened(), connectionsBefore + 1, 'all of it on the push connection');
  } finally {
    await push.stop();
  }
});
