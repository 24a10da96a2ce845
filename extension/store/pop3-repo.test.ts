import assert from 'node:assert/strict';
import { test } from 'node:test';
import { freshDb, pop3Download } from '../../test/support/store.ts';
import { BodiesRepo } from './bodies-repo.ts';
import { StoreError } from './errors.ts';
import { MessagesRepo } from './messages-repo.ts';
import { type DeletionPolicy, isDue, Pop3Repo } from './pop3-repo.ts';
import type { Pop3Row } from './schema.ts';

const DAY = 24 * 60 * 60 * 1000;
const isCode = (code: string) => (e: unknown) => e instanceof StoreError && e.code === code;

async function setup() {
  const db = await freshDb();
  return { db, pop3: new Pop3Repo(db), messages: new MessagesRepo(db), bodies: new BodiesRepo(db) };
}

test('storeDownloaded writes summary, body and UIDL state together', async () => {
  const { pop3, messages, bodies } = await setup();
  const row = await pop3.storeDownloaded('pop', pop3Download('u1', { size: 300 }), 5000);
  assert.equal(row.uid, 'u1');
  assert.equal(row.folder, 'INBOX');
  assert.equal(row.bodyState, 'full');
  assert.equal(row.serverState, 'on-server');
  assert.equal(row.downloadedAt, 5000);
  assert.deepEqual(await messages.get(['pop', 'INBOX', 'u1']), row);
  const body = await bodies.get(['pop', 'INBOX', 'u1']);
  assert.equal(body?.size, 300);
  assert.equal(body?.evictAt, undefined, 'POP3 bodies are not in the eviction index');
  assert.deepEqual(await pop3.get('pop', 'u1'), {
    accountId: 'pop',
    uidl: 'u1',
    state: 'stored',
    storedAt: 5000,
    firstSeenAt: 5000,
  });
  assert.deepEqual(await pop3.knownUidls('pop'), new Set(['u1']));
  assert.deepEqual(await pop3.knownUidls('other'), new Set());
});

test('storeDownloadedBatch stores several messages in one transaction, all or nothing', async () => {
  const { pop3, messages, bodies } = await setup();
  const rows = await pop3.storeDownloadedBatch(
    'pop',
    [pop3Download('b1'), pop3Download('b2', { complete: false }), { ...pop3Download('b3'), body: null }],
    7000,
  );
  assert.deepEqual(
    rows.map((r) => [r.uid, r.bodyState]),
    [
      ['b1', 'full'],
      ['b2', 'headers'],
      ['b3', 'none'],
    ],
  );
  assert.deepEqual(await pop3.knownUidls('pop'), new Set(['b1', 'b2', 'b3']));
  assert.ok(await bodies.get(['pop', 'INBOX', 'b2']));
  assert.deepEqual(await pop3.storeDownloadedBatch('pop', []), []);
  // One known UIDL (or one twice) in a batch: nothing of the batch is written.
  await assert.rejects(
    pop3.storeDownloadedBatch('pop', [pop3Download('b4'), pop3Download('b1')]),
    isCode('conflict'),
  );
  await assert.rejects(
    pop3.storeDownloadedBatch('pop', [pop3Download('b5'), pop3Download('b5')]),
    isCode('conflict'),
  );
  for (const uid of ['b4', 'b5']) {
    assert.equal(await messages.get(['pop', 'INBOX', uid]), undefined, uid);
    assert.equal(await bodies.get(['pop', 'INBOX', uid]), undefined, uid);
  }
  assert.deepEqual(await pop3.knownUidls('pop'), new Set(['b1', 'b2', 'b3']));
  // A malformed entry refuses the batch before anything is written.
  await assert.rejects(
    pop3.storeDownloadedBatch('pop', [pop3Download('b6'), pop3Download('bad uidl')]),
    isCode('invalid'),
  );
  assert.equal(await messages.get(['pop', 'INBOX', 'b6']), undefined);
});

test('headers-only downloads are stored as such', async () => {
  const { pop3, messages } = await setup();
  await pop3.storeDownloaded('pop', pop3Download('big', { complete: false }));
  assert.equal((await messages.get(['pop', 'INBOX', 'big']))?.bodyState, 'headers');
  await pop3.storeDownloaded('pop', { ...pop3Download('bare'), body: null });
  assert.equal((await messages.get(['pop', 'INBOX', 'bare']))?.bodyState, 'none');
});

test('storing a known UIDL fails with conflict and writes neither message nor body', async () => {
  const { pop3, messages, bodies } = await setup();
  // Deleted here earlier: the UIDL is known, the message is gone.
  await pop3.storeDownloaded('pop', pop3Download('u1'));
  await pop3.deleteHere('pop', ['u1']);
  assert.equal(await messages.get(['pop', 'INBOX', 'u1']), undefined);

  // The message and body puts are issued before the pop3 `add` fails in the same transaction.
  await assert.rejects(pop3.storeDownloaded('pop', pop3Download('u1')), isCode('conflict'));
  assert.equal(await messages.get(['pop', 'INBOX', 'u1']), undefined, 'no resurrected message');
  assert.equal(await bodies.get(['pop', 'INBOX', 'u1']), undefined, 'no orphan body');
  assert.equal((await pop3.get('pop', 'u1'))?.state, 'deleted-locally');
});

test('a body that cannot be written rolls back the message row already written in the transaction', async () => {
  const { pop3, messages, bodies } = await setup();
  const download = pop3Download('u2');
  // A function cannot be structured-cloned: the body put throws after the message put was issued.
  (download.body as unknown as Record<string, unknown>).raw = () => 'not cloneable';
  await assert.rejects(pop3.storeDownloaded('pop', download), isCode('invalid'));
  assert.equal(await messages.get(['pop', 'INBOX', 'u2']), undefined);
  assert.equal(await bodies.get(['pop', 'INBOX', 'u2']), undefined);
  assert.equal(await pop3.get('pop', 'u2'), undefined);
  assert.deepEqual(await pop3.knownUidls('pop'), new Set(), 'so the next session downloads it again');
});

test('storeDownloaded refuses malformed UIDLs', async () => {
  const { pop3 } = await setup();
  for (const uidl of ['', 'has space', 'x'.repeat(71), 'ümlaut']) {
    await assert.rejects(pop3.storeDownloaded('pop', pop3Download(uidl)), isCode('invalid'), uidl);
  }
});

test('deleteHere removes message and body, remembers the UIDL, and leaves others alone', async () => {
  const { pop3, messages, bodies } = await setup();
  await pop3.storeDownloaded('pop', pop3Download('u1'));
  await pop3.storeDownloaded('pop', pop3Download('u2'));
  await pop3.deleteHere('pop', ['u1', 'never-seen']);
  assert.equal(await messages.get(['pop', 'INBOX', 'u1']), undefined);
  assert.equal(await bodies.get(['pop', 'INBOX', 'u1']), undefined);
  assert.equal((await pop3.get('pop', 'u1'))?.state, 'deleted-locally');
  assert.equal((await pop3.get('pop', 'never-seen'))?.state, 'deleted-locally');
  assert.equal((await pop3.get('pop', 'u2'))?.state, 'stored');
  assert.ok(await messages.get(['pop', 'INBOX', 'u2']));
  assert.deepEqual(await pop3.knownUidls('pop'), new Set(['u1', 'u2', 'never-seen']));
});

test('isDue: the deletion rules, state by state', () => {
  const row = (state: Pop3Row['state'], storedAt = 0): Pop3Row => ({
    accountId: 'p',
    uidl: 'u',
    state,
    storedAt,
    firstSeenAt: 0,
  });
  const keep: DeletionPolicy = {
    leaveCopy: true,
    deleteAfterDays: null,
    deleteWhenDeletedHere: false,
    now: 100 * DAY,
  };
  assert.equal(isDue(row('dele-pending'), false, keep), true);
  assert.equal(isDue(row('removed-from-server'), true, { ...keep, leaveCopy: false }), false);
  assert.equal(isDue(row('deleted-locally'), false, keep), false);
  assert.equal(isDue(row('deleted-locally'), false, { ...keep, deleteWhenDeletedHere: true }), true);
  assert.equal(isDue(row('deleted-locally'), false, { ...keep, leaveCopy: false }), true);
  assert.equal(isDue(row('stored'), true, keep), false);
  assert.equal(isDue(row('stored'), true, { ...keep, leaveCopy: false }), true);
  assert.equal(
    isDue(row('stored'), false, { ...keep, leaveCopy: false }),
    false,
    'never without the full source',
  );
  assert.equal(
    isDue(row('stored', 90 * DAY), true, { ...keep, deleteAfterDays: 10 }),
    true,
    'exactly 10 days',
  );
  assert.equal(isDue(row('stored', 90 * DAY + 1), true, { ...keep, deleteAfterDays: 10 }), false);
  assert.equal(isDue(row('stored', 0), false, { ...keep, deleteAfterDays: 10 }), false);
});

test('dueForServerDeletion applies the account settings to what is stored', async () => {
  const { pop3 } = await setup();
  await pop3.storeDownloaded('pop', pop3Download('old'), 1 * DAY);
  await pop3.storeDownloaded('pop', pop3Download('new'), 9 * DAY);
  await pop3.storeDownloaded('pop', pop3Download('old-headers', { complete: false }), 1 * DAY);
  await pop3.storeDownloaded('pop', pop3Download('gone'), 1 * DAY);
  await pop3.storeDownloaded('pop', pop3Download('binned'), 1 * DAY);
  await pop3.markRemovedFromServer('pop', ['gone']);
  await pop3.deleteHere('pop', ['binned']);
  await pop3.storeDownloaded('other', pop3Download('old'), 1 * DAY);

  const now = 10 * DAY;
  const due = (policy: Omit<DeletionPolicy, 'now'>) => pop3.dueForServerDeletion('pop', { ...policy, now });
  assert.deepEqual(await due({ leaveCopy: true, deleteAfterDays: null, deleteWhenDeletedHere: false }), []);
  assert.deepEqual(await due({ leaveCopy: true, deleteAfterDays: null, deleteWhenDeletedHere: true }), [
    'binned',
  ]);
  assert.deepEqual(await due({ leaveCopy: true, deleteAfterDays: 7, deleteWhenDeletedHere: false }), ['old']);
  assert.deepEqual(
    (await due({ leaveCopy: false, deleteAfterDays: null, deleteWhenDeletedHere: false })).sort(),
    ['binned', 'new', 'old'],
    'headers-only mail is never deleted from the server; removed mail is not deleted twice',
  );
  await assert.rejects(
    due({ leaveCopy: true, deleteAfterDays: -1, deleteWhenDeletedHere: false }),
    isCode('invalid'),
  );
});

test('a DELE cycle: pending until QUIT commits, then removed; a dead session leaves it pending', async () => {
  const { pop3, messages } = await setup();
  await pop3.storeDownloaded('pop', pop3Download('a'), 0);
  await pop3.storeDownloaded('pop', pop3Download('b'), 0);
  const policy = { leaveCopy: false, deleteAfterDays: null, deleteWhenDeletedHere: false, now: DAY };

  await pop3.markDeletePending('pop', await pop3.dueForServerDeletion('pop', policy));
  assert.equal((await pop3.get('pop', 'a'))?.state, 'dele-pending');
  // The session died before QUIT: the next session must DELE them again, settings notwithstanding.
  assert.deepEqual(await pop3.dueForServerDeletion('pop', { ...policy, leaveCopy: true }), ['a', 'b']);
  await pop3.markRemovedFromServer('pop', ['a', 'b']);
  assert.equal((await pop3.get('pop', 'a'))?.state, 'removed-from-server');
  const kept = await messages.get(['pop', 'INBOX', 'a']);
  assert.equal(kept?.serverState, 'removed', 'the local copy stays, marked as no longer on the server');
  assert.equal(kept?.bodyState, 'full');
  assert.deepEqual(await pop3.dueForServerDeletion('pop', policy), []);
  assert.deepEqual(await pop3.knownUidls('pop'), new Set(['a', 'b']), 'still never downloaded again');
});

test('markDeletePending refuses mail whose full source is not stored, writing nothing', async () => {
  const { pop3 } = await setup();
  await pop3.storeDownloaded('pop', pop3Download('full'));
  await pop3.storeDownloaded('pop', pop3Download('headers', { complete: false }));
  await assert.rejects(pop3.markDeletePending('pop', ['full', 'headers']), isCode('invalid'));
  assert.equal((await pop3.get('pop', 'full'))?.state, 'stored');
  assert.equal((await pop3.get('pop', 'headers'))?.state, 'stored');
});

test('a headers-only message becomes deletable once its full body is stored', async () => {
  const { pop3, bodies } = await setup();
  await pop3.storeDownloaded('pop', pop3Download('big', { complete: false }), 0);
  const policy = { leaveCopy: false, deleteAfterDays: null, deleteWhenDeletedHere: false, now: DAY };
  assert.deepEqual(await pop3.dueForServerDeletion('pop', policy), []);
  await bodies.put({
    accountId: 'pop',
    folder: 'INBOX',
    uid: 'big',
    raw: new Uint8Array(10),
    complete: true,
  });
  assert.deepEqual(await pop3.dueForServerDeletion('pop', policy), ['big']);
  await pop3.markDeletePending('pop', ['big']);
  assert.equal((await pop3.get('pop', 'big'))?.state, 'dele-pending');
});

test('reconcileServerList marks what the server no longer lists', async () => {
  const { pop3, messages } = await setup();
  await pop3.storeDownloaded('pop', pop3Download('a'));
  await pop3.storeDownloaded('pop', pop3Download('b'));
  await pop3.storeDownloaded('pop', pop3Download('c'));
  await pop3.deleteHere('pop', ['c']);
  assert.deepEqual(await pop3.reconcileServerList('pop', ['a']), ['b', 'c']);
  assert.equal((await pop3.get('pop', 'a'))?.state, 'stored');
  assert.equal((await pop3.get('pop', 'b'))?.state, 'removed-from-server');
  assert.equal((await pop3.get('pop', 'c'))?.state, 'removed-from-server');
  assert.equal((await messages.get(['pop', 'INBOX', 'b']))?.serverState, 'removed');
  assert.equal((await messages.get(['pop', 'INBOX', 'a']))?.serverState, 'on-server');
  assert.deepEqual(await pop3.reconcileServerList('pop', ['a']), [], 'idempotent');
});
