import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IDBObjectStore } from 'fake-indexeddb';
import { bytes, freshDb, summary } from '../../test/support/store.ts';
import { BodiesRepo } from './bodies-repo.ts';
import { StoreError } from './errors.ts';
import { MessagesRepo } from './messages-repo.ts';
import { LAST_ERROR_MAX_CHARS, PendingRepo } from './pending-repo.ts';
import type { MessageKey } from './schema.ts';

const k = (uid: number, accountId = 'acct-a'): MessageKey => [accountId, 'INBOX', uid];
const isCode = (code: string) => (e: unknown) => e instanceof StoreError && e.code === code;

async function setup() {
  const db = await freshDb();
  const messages = new MessagesRepo(db);
  const pending = new PendingRepo(db);
  await messages.putSummaries([
    summary({ uid: 1 }),
    summary({ uid: 2 }),
    summary({ uid: 3 }),
    summary({ uid: 1, accountId: 'acct-b' }),
  ]);
  return { db, messages, pending };
}

test('actions queue in insertion order per account, each with the local change already visible', async () => {
  const { messages, pending } = await setup();
  await pending.markSeenLocally([k(2)], true, 100);
  await pending.markFlaggedLocally([k(1, 'acct-b')], true, 101);
  await pending.markFlaggedLocally([k(3)], true, 102);
  await pending.deleteLocally([k(1)], 103);

  const ops = await pending.peekAll('acct-a');
  assert.deepEqual(
    ops.map((op) => [op.kind, op.uid, op.createdAt, op.attempts, op.lastError]),
    [
      ['seen', 2, 100, 0, null],
      ['flag', 3, 102, 0, null],
      ['delete', 1, 103, 0, null],
    ],
  );
  assert.ok(
    ops.every((op, i) => i === 0 || op.id > (ops[i - 1]?.id ?? 0)),
    'ids grow with insertion',
  );
  assert.deepEqual(
    (await pending.peekAll('acct-b')).map((op) => op.kind),
    ['flag'],
  );
  assert.deepEqual((await pending.accountsWithPending()).sort(), ['acct-a', 'acct-b']);

  assert.equal((await messages.get(k(2)))?.seen, true);
  assert.equal((await messages.get(k(3)))?.flagged, true);
  assert.equal((await messages.get(k(1)))?.deletedLocally, true);
  assert.equal(await messages.countUnread('acct-a'), 1, 'only uid 3 is unread and visible');
});

test('the local change and the queued action commit together or not at all', async (t) => {
  const { messages, pending } = await setup();
  // The queue write fails (as when the disk is full) after the row write was issued.
  const add = IDBObjectStore.prototype.add;
  t.after(() => {
    IDBObjectStore.prototype.add = add;
  });
  IDBObjectStore.prototype.add = () => {
    throw new DOMException('disk full', 'QuotaExceededError');
  };
  await assert.rejects(pending.markSeenLocally([k(1), k(2)], true), isCode('quota_exceeded'));
  IDBObjectStore.prototype.add = add;

  assert.equal((await messages.get(k(1)))?.seen, false, 'row change rolled back');
  assert.equal((await messages.get(k(2)))?.seen, false);
  assert.deepEqual(await pending.peekAll('acct-a'), []);
  assert.equal(await messages.countUnread('acct-a'), 3);
});

test('a newer flag action replaces the queued one of the same family; other families stay', async () => {
  const { messages, pending } = await setup();
  await pending.markSeenLocally([k(1)], true);
  await pending.markFlaggedLocally([k(1)], true);
  await pending.markSeenLocally([k(1)], false);
  await pending.markSeenLocally([k(1)], true);
  assert.deepEqual(
    (await pending.peekAll('acct-a')).map((op) => `${op.kind}:${op.uid}`),
    ['flag:1', 'seen:1'],
  );
  assert.equal((await messages.get(k(1)))?.seen, true);
});

test('an action that changes nothing is not queued', async () => {
  const { pending } = await setup();
  assert.deepEqual(await pending.markSeenLocally([k(1)], false), []);
  await pending.markSeenLocally([k(1), k(1)], true);
  await pending.markSeenLocally([k(1)], true);
  assert.deepEqual(
    (await pending.peekAll('acct-a')).map((op) => op.kind),
    ['seen'],
  );
});

test('a delete keeps the flag actions queued before it; a repeated delete is queued once', async () => {
  const { pending } = await setup();
  await pending.markSeenLocally([k(1), k(2)], true);
  await pending.markFlaggedLocally([k(1)], true);
  await pending.deleteLocally([k(1)]);
  await pending.deleteLocally([k(1)]);
  assert.deepEqual(
    (await pending.peekAll('acct-a')).map((op) => `${op.kind}:${op.uid}`),
    ['seen:1', 'seen:2', 'flag:1', 'delete:1'],
  );
});

test('unknown messages are skipped; the others still change', async () => {
  const { pending } = await setup();
  const changed = await pending.markSeenLocally([k(1), k(42)], true);
  assert.deepEqual(
    changed.map((r) => r.uid),
    [1],
  );
  assert.deepEqual(
    (await pending.peekAll('acct-a')).map((op) => op.uid),
    [1],
  );
});

test('completing a delete removes the message and its body with the action', async () => {
  const { db, messages, pending } = await setup();
  const bodies = new BodiesRepo(db);
  await bodies.put({
    accountId: 'acct-a',
    folder: 'INBOX',
    uid: 1,
    raw: bytes('x'),
    complete: true,
  });
  await pending.deleteLocally([k(1)]);
  await pending.markSeenLocally([k(2)], true);
  const [del, seen] = await pending.peekAll('acct-a');
  assert.equal(await pending.complete(del!.id), true);
  assert.equal(await messages.get(k(1)), undefined);
  assert.equal(await bodies.get(k(1)), undefined);
  assert.equal(await pending.complete(seen!.id), true);
  assert.equal((await messages.get(k(2)))?.seen, true, 'a completed flag action leaves the row as it is');
  assert.deepEqual(await pending.peekAll('acct-a'), []);
  assert.equal(await pending.complete(del!.id), false, 'completing twice is harmless');
});

test('completing an action that a newer one replaced does nothing', async () => {
  const { messages, pending } = await setup();
  await pending.markSeenLocally([k(1)], true);
  const [first] = await pending.peekAll('acct-a');
  await pending.markSeenLocally([k(1)], false);
  assert.equal(await pending.complete(first!.id), false);
  assert.deepEqual(
    (await pending.peekAll('acct-a')).map((op) => op.kind),
    ['unseen'],
  );
  assert.equal((await messages.get(k(1)))?.seen, false);
});

test('fail counts attempts and keeps a bounded reason', async () => {
  const { pending } = await setup();
  await pending.markSeenLocally([k(1)], true);
  const [op] = await pending.peekAll('acct-a');
  await pending.fail(op!.id, 'NO [UNAVAILABLE] try later');
  await pending.fail(op!.id, 'x'.repeat(10_000));
  const [after] = await pending.peekAll('acct-a');
  assert.equal(after?.attempts, 2);
  assert.equal(after?.lastError?.length, LAST_ERROR_MAX_CHARS);
  assert.equal(await pending.fail(9999, 'gone'), false);
});

test('POP3 mail: read and flag change only the row; delete is refused here', async () => {
  const { messages, pending } = await setup();
  await messages.putSummaries([summary({ uid: 'UIDL-1', accountId: 'pop' })]);
  const [row] = await pending.markSeenLocally([['pop', 'INBOX', 'UIDL-1']], true);
  assert.equal(row?.seen, true);
  await pending.markFlaggedLocally([['pop', 'INBOX', 'UIDL-1']], true);
  assert.deepEqual(await pending.peekAll('pop'), [], 'POP3 has no server flags to set');
  assert.equal((await messages.get(['pop', 'INBOX', 'UIDL-1']))?.flagged, true);
  await assert.rejects(pending.deleteLocally([['pop', 'INBOX', 'UIDL-1']]), isCode('invalid'));
});
