import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import WebSocket from 'ws';
import { syncImapAccount } from '../../extension/mail/imap/sync.ts';
import { relayTransportFactory, type WebSocketConstructor } from '../../extension/relay/relay-socket.ts';
import { TransportError } from '../../extension/relay/transport.ts';
import { MessagesRepo } from '../../extension/store/messages-repo.ts';
import { PendingRepo } from '../../extension/store/pending-repo.ts';
import type { MessageKey } from '../../extension/store/schema.ts';
import { closedPort } from '../relay/helpers.ts';
import { appendMessages, ImapWorld } from './imap-helpers.ts';

let world: ImapWorld;
before(async () => {
  world = await ImapWorld.start();
});
after(async () => {
  await world?.stop();
});

/** A transport factory whose relay is not running. */
async function deadRelay() {
  return relayTransportFactory(
    { url: `ws://127.0.0.1:${await closedPort()}/v1`, token: 'x' },
    { WebSocket: WebSocket as unknown as WebSocketConstructor },
  );
}

async function serverFlags(other: Awaited<ReturnType<ImapWorld['other']>>, folder: string) {
  await other.mailboxOpen(folder);
  const rows = await other.fetchAll('1:*', { uid: true, flags: true, envelope: true });
  return new Map(
    rows.map((r) => [r.uid, { flags: r.flags ?? new Set<string>(), subject: r.envelope?.subject }]),
  );
}

test('offline mark-read, flag and delete are queued, survive a failed sync and are replayed once', async () => {
  const user = world.newUser();
  const other = await world.other(user);
  const sent = await appendMessages(other, 'INBOX', 6);
  const db = await world.db();
  const account = world.account(user);
  await syncImapAccount(world.ctx(db, account));
  const pending = new PendingRepo(db);
  const key = (uid: number): MessageKey => [account.id, 'INBOX', uid];

  await pending.markSeenLocally([key(1), key(2)], true, Date.now());
  await pending.markFlaggedLocally([key(3)], true, Date.now());
  await pending.deleteLocally([key(4), key(5)], Date.now());
  assert.equal((await pending.peekAll(account.id)).length, 5);
  // The local change is immediate: read rows no longer count, deleted rows are hidden.
  assert.equal(await new MessagesRepo(db).countUnread(account.id), 2);

  // Offline: the sync fails at the relay and the queue is untouched.
  await assert.rejects(syncImapAccount(world.ctx(db, account, { open: await deadRelay() })), (error) => {
    assert.ok(error instanceof TransportError);
    assert.equal(error.code, 'relay_unreachable');
    return true;
  });
  assert.equal((await pending.peekAll(account.id)).length, 5);

  const result = await syncImapAccount(world.ctx(db, account));
  assert.equal(result.unread, 2);
  assert.deepEqual(await pending.peekAll(account.id), []);
  const inbox = await serverFlags(other, 'INBOX');
  assert.equal(inbox.get(1)?.flags.has('\\Seen'), true);
  assert.equal(inbox.get(2)?.flags.has('\\Seen'), true);
  assert.equal(inbox.get(3)?.flags.has('\\Flagged'), true);
  assert.equal(inbox.get(3)?.flags.has('\\Seen'), false);
  assert.equal(inbox.has(4), false);
  assert.equal(inbox.has(5), false);
  assert.equal(inbox.size, 4);
  const trash = await serverFlags(other, 'Trash');
  assert.deepEqual(
    [...trash.values()].map((m) => m.subject).sort(),
    [sent[3]!.subject, sent[4]!.subject].sort(),
    'deleted mail went to Trash',
  );
  const rows = await new MessagesRepo(db).uidsInFolder(account.id, 'INBOX');
  assert.deepEqual(rows, [1, 2, 3, 6]);

  // Replaying again sends nothing twice: Trash still has exactly two.
  await syncImapAccount(world.ctx(db, account));
  assert.equal((await serverFlags(other, 'Trash')).size, 2);
});

test('without Trash: \\Deleted + UID EXPUNGE removes only our messages, never another client’s \\Deleted', async () => {
  const user = world.newUser();
  const other = await world.other(user);
  await appendMessages(other, 'INBOX', 4);
  const db = await world.db();
  const account = world.account(user, { deleteToTrash: false });
  await syncImapAccount(world.ctx(db, account));
  // Another client marked message 1 \Deleted without expunging it (it may still undo that).
  await other.mailboxOpen('INBOX');
  await other.messageFlagsAdd('1', ['\\Deleted'], { uid: true });

  await new PendingRepo(db).deleteLocally([[account.id, 'INBOX', 3]], Date.now());
  await syncImapAccount(world.ctx(db, account));
  const inbox = await serverFlags(other, 'INBOX');
  assert.deepEqual([...inbox.keys()], [1, 2, 4]);
  assert.equal(inbox.get(1)?.flags.has('\\Deleted'), true, 'the other client’s message is untouched');
  assert.equal((await serverFlags(other, 'Trash')).size, 0);
  // Biff itself does not list a message another client marked \Deleted.
  assert.deepEqual(await new MessagesRepo(db).uidsInFolder(account.id, 'INBOX'), [2, 4]);
});

test('actions on messages already gone elsewhere complete without harm and the rows go', async () => {
  const user = world.newUser();
  const other = await world.other(user);
  await appendMessages(other, 'INBOX', 3);
  const db = await world.db();
  const account = world.account(user);
  await syncImapAccount(world.ctx(db, account));
  const pending = new PendingRepo(db);
  await pending.markSeenLocally([[account.id, 'INBOX', 1]], true, Date.now());
  await pending.deleteLocally([[account.id, 'INBOX', 2]], Date.now());
  // Another client removes both first (as if our MOVE had succeeded before a crash).
  await other.mailboxOpen('INBOX');
  await other.messageMove('1:2', 'Trash', { uid: true });

  const result = await syncImapAccount(world.ctx(db, account));
  assert.equal(result.unread, 1);
  assert.deepEqual(await pending.peekAll(account.id), []);
  assert.deepEqual(await new MessagesRepo(db).uidsInFolder(account.id, 'INBOX'), [3]);
  assert.equal((await serverFlags(other, 'Trash')).size, 2, 'nothing moved twice');
});

test('a queued delete is never sent to a folder whose UIDVALIDITY changed', async () => {
  const user = world.newUser();
  const other = await world.other(user);
  await other.mailboxCreate('Work');
  await appendMessages(other, 'Work', 3, { seed: 41 });
  const db = await world.db();
  const account = world.account(user, { folders: ['INBOX', 'Work'] });
  await syncImapAccount(world.ctx(db, account));
  const pending = new PendingRepo(db);
  await pending.deleteLocally([[account.id, 'Work', 2]], Date.now());

  // Meanwhile the folder is recreated: UID 2 now names another message.
  await other.mailboxDelete('Work');
  await other.mailboxCreate('Work');
  const fresh = await appendMessages(other, 'Work', 3, { seed: 42 });
  await syncImapAccount(world.ctx(db, account));
  const work = await serverFlags(other, 'Work');
  assert.deepEqual(
    [...work.values()].map((m) => m.subject),
    fresh.map((m) => m.subject),
    'all three new messages are still there',
  );
  assert.equal((await serverFlags(other, 'Trash')).size, 0);
  assert.deepEqual(await pending.peekAll(account.id), []);
  assert.deepEqual(await new MessagesRepo(db).uidsInFolder(account.id, 'Work'), [1, 2, 3]);
});
