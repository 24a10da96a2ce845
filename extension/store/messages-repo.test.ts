import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { bytes, freshDb, summary } from '../../test/support/store.ts';
import { BodiesRepo } from './bodies-repo.ts';
import { StoreError } from './errors.ts';
import { FoldersRepo } from './folders-repo.ts';
import { messageId } from './keys.ts';
import { type ListQuery, MessagesRepo } from './messages-repo.ts';
import { PendingRepo } from './pending-repo.ts';
import type { BiffDatabase, MessageRow, MessageSummary } from './schema.ts';

const isCode = (code: string) => (e: unknown) => e instanceof StoreError && e.code === code;

/** Every row the query lists, page by page, checking that each page is full but the last. */
async function pageThrough(repo: MessagesRepo, query: Omit<ListQuery, 'before'>): Promise<MessageRow[]> {
  const all: MessageRow[] = [];
  let before: ListQuery['before'] = null;
  for (;;) {
    const page = await repo.listNewest({ ...query, before });
    all.push(...page.rows);
    if (!page.next) break;
    assert.equal(page.rows.length, query.limit, 'only the last page may be short');
    before = page.next;
  }
  return all;
}

/** Newest first, equal dates by id descending: the order the indexes give. */
function newestFirst(a: { date: number; id: string }, b: { date: number; id: string }): number {
  if (a.date !== b.date) return b.date - a.date;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

describe('10,000 summaries across three accounts', () => {
  const BASE = Date.UTC(2024, 0, 1);
  let db: BiffDatabase;
  let repo: MessagesRepo;
  let rows: MessageSummary[];

  before(async () => {
    db = await freshDb();
    repo = new MessagesRepo(db);
    // Groups of 7 share a date, so ties are everywhere; uids interleave across accounts/folders.
    rows = Array.from({ length: 10_000 }, (_, i) =>
      summary({
        uid: i + 1,
        accountId: `acct-${i % 3}`,
        folder: i % 2 === 0 ? 'INBOX' : 'Archive',
        date: BASE + Math.floor(i / 7) * 60_000,
        seen: i % 4 === 0,
      }),
    );
    const started = performance.now();
    await repo.putSummaries(rows);
    console.log(
      `[bench] putSummaries of 10,000 rows: ${(performance.now() - started).toFixed(0)} ms (fake-indexeddb)`,
    );
  });

  test('the first page is the newest rows across all accounts', async () => {
    const started = performance.now();
    const page = await repo.listNewest({ limit: 50 });
    console.log(
      `[bench] listNewest page of 50 over 10,000 rows: ${(performance.now() - started).toFixed(1)} ms`,
    );
    const expected = rows
      .map((r) => ({ date: r.date, id: messageId(r.accountId, r.folder, r.uid) }))
      .sort(newestFirst)
      .slice(0, 50)
      .map((r) => r.id);
    assert.deepEqual(
      page.rows.map((r) => r.id),
      expected,
    );
    assert.equal(new Set(page.rows.map((r) => r.accountId)).size, 3);
    assert.deepEqual(page.next, { date: page.rows[49]?.date, id: page.rows[49]?.id });
  });

  test('paging with the cursor visits every row once, newest first, ties in a stable order', async () => {
    const listed = await pageThrough(repo, { limit: 97 });
    assert.equal(listed.length, 10_000);
    assert.equal(new Set(listed.map((r) => r.id)).size, 10_000, 'no row twice');
    assert.deepEqual(
      listed.map((r) => r.id),
      [...listed].sort(newestFirst).map((r) => r.id),
    );
    // Stable: the same query again gives the same order.
    const again = await pageThrough(repo, { limit: 500 });
    assert.deepEqual(
      again.map((r) => r.id),
      listed.map((r) => r.id),
    );
  });

  test('filtering by account lists exactly that account, in order', async () => {
    const listed = await pageThrough(repo, { limit: 128, accountId: 'acct-1' });
    const expected = rows
      .filter((r) => r.accountId === 'acct-1')
      .map((r) => ({ date: r.date, id: messageId(r.accountId, r.folder, r.uid) }))
      .sort(newestFirst)
      .map((r) => r.id);
    assert.equal(listed.length, expected.length);
    assert.deepEqual(
      listed.map((r) => r.id),
      expected,
    );
  });

  test('filtering by folder lists exactly that folder of that account, in order', async () => {
    const listed = await pageThrough(repo, { limit: 100, accountId: 'acct-2', folder: 'Archive' });
    const expected = rows
      .filter((r) => r.accountId === 'acct-2' && r.folder === 'Archive')
      .map((r) => ({ date: r.date, id: messageId(r.accountId, r.folder, r.uid) }))
      .sort(newestFirst)
      .map((r) => r.id);
    assert.ok(expected.length > 1000);
    assert.deepEqual(
      listed.map((r) => r.id),
      expected,
    );
  });

  test('unread counts per account and in total', async () => {
    const unread = (account?: string) =>
      rows.filter((r) => !r.seen && (account === undefined || r.accountId === account)).length;
    assert.equal(await repo.countUnread('acct-0'), unread('acct-0'));
    assert.equal(await repo.countUnread('acct-2'), unread('acct-2'));
    assert.equal(await repo.countUnread(), unread());
    assert.deepEqual(
      await repo.unreadByAccount(),
      new Map([
        ['acct-0', unread('acct-0')],
        ['acct-1', unread('acct-1')],
        ['acct-2', unread('acct-2')],
      ]),
    );
    assert.equal(await repo.countUnread('nobody'), 0);
  });

  test('uidsInFolder gives the folder’s uids in ascending order', async () => {
    const uids = await repo.uidsInFolder('acct-0', 'INBOX');
    const expected = rows
      .filter((r) => r.accountId === 'acct-0' && r.folder === 'INBOX')
      .map((r) => r.uid as number)
      .sort((a, b) => a - b);
    assert.deepEqual(uids, expected);
  });
});

test('a message deleted locally is hidden from every list and from unread counts, and back when undone', async () => {
  const repo = new MessagesRepo(await freshDb());
  await repo.putSummaries([
    summary({ uid: 1, date: 10 }),
    summary({ uid: 2, date: 20 }),
    summary({ uid: 3, date: 30 }),
  ]);
  await repo.setFlags(['acct-a', 'INBOX', 2], { deletedLocally: true });
  const ids = async (query: Omit<ListQuery, 'limit'>) =>
    (await repo.listNewest({ limit: 10, ...query })).rows.map((r) => r.uid);
  assert.deepEqual(await ids({}), [3, 1]);
  assert.deepEqual(await ids({ accountId: 'acct-a' }), [3, 1]);
  assert.deepEqual(await ids({ accountId: 'acct-a', folder: 'INBOX' }), [3, 1]);
  assert.equal(await repo.countUnread('acct-a'), 2);
  assert.equal((await repo.get(['acct-a', 'INBOX', 2]))?.deletedLocally, true, 'still readable by key');
  await repo.setFlags(['acct-a', 'INBOX', 2], { deletedLocally: false });
  assert.deepEqual(await ids({}), [3, 2, 1]);
  assert.equal(await repo.countUnread('acct-a'), 3);
});

test('only unread rows are in the unread index; a 0 left by an older row is not counted', async () => {
  const db = await freshDb();
  const repo = new MessagesRepo(db);
  await repo.putSummaries([1, 2, 3, 4].map((uid) => summary({ uid, seen: uid <= 3 })));
  const entries = () => db.transaction('messages').store.index('unread-by-account').count();
  assert.equal(await entries(), 1, 'three read rows, no entries for them');
  await repo.setFlags(['acct-a', 'INBOX', 1], { seen: false });
  assert.equal(await entries(), 2);
  await repo.setFlags(['acct-a', 'INBOX', 4], { seen: true });
  assert.equal(await entries(), 1);
  // A row as the first version of the store wrote a read message: `unread: 0`, indexed.
  const old = await repo.get(['acct-a', 'INBOX', 2]);
  await db.put('messages', { ...old!, uid: 5, id: messageId('acct-a', 'INBOX', 5), unread: 0 });
  assert.equal(await entries(), 2);
  assert.equal(await repo.countUnread('acct-a'), 1);
  assert.deepEqual([...(await repo.unreadByAccount())], [['acct-a', 1]]);
});

test('setFlags updates the unread count and fails with not_found for an unknown message', async () => {
  const repo = new MessagesRepo(await freshDb());
  await repo.putSummaries([summary({ uid: 1 }), summary({ uid: 2 })]);
  const row = await repo.setFlags(['acct-a', 'INBOX', 1], { seen: true, flagged: true });
  assert.equal(row.seen, true);
  assert.equal(row.flagged, true);
  assert.equal(row.unread, undefined);
  assert.equal(await repo.countUnread('acct-a'), 1);
  await assert.rejects(repo.setFlags(['acct-a', 'INBOX', 9], { seen: true }), isCode('not_found'));
});

test('removeFolder drops the folder’s messages, bodies, queued actions and state, and nothing else', async () => {
  const db = await freshDb();
  const repo = new MessagesRepo(db);
  const bodies = new BodiesRepo(db);
  const pending = new PendingRepo(db);
  const folders = new FoldersRepo(db);
  await repo.putSummaries([
    summary({ uid: 1, folder: 'INBOX' }),
    summary({ uid: 2, folder: 'INBOX' }),
    summary({ uid: 1, folder: 'INBOX.old' }),
    summary({ uid: 1, folder: 'INBOX', accountId: 'acct-b' }),
  ]);
  const body = {
    raw: bytes('Subject: x\r\n\r\nbody'),
    complete: true,
  };
  for (const [accountId, folder] of [
    ['acct-a', 'INBOX'],
    ['acct-a', 'INBOX.old'],
    ['acct-b', 'INBOX'],
  ] as const) {
    await bodies.put({ ...body, accountId, folder, uid: 1 });
    await folders.put({
      accountId,
      path: folder,
      uidValidity: 7,
      uidNext: 3,
      highestModseq: '18446744073709551615',
      messages: 2,
      unseen: 2,
      specialUse: null,
      lastSync: 1,
    });
  }
  await pending.markSeenLocally(
    [
      ['acct-a', 'INBOX', 1],
      ['acct-a', 'INBOX.old', 1],
    ],
    true,
  );

  await repo.removeFolder('acct-a', 'INBOX');

  assert.deepEqual(await repo.uidsInFolder('acct-a', 'INBOX'), []);
  assert.equal(await bodies.get(['acct-a', 'INBOX', 1]), undefined, 'body dropped too');
  assert.equal(await folders.get('acct-a', 'INBOX'), undefined);
  assert.deepEqual(
    (await pending.peekAll('acct-a')).map((op) => op.folder),
    ['INBOX.old'],
    'queued actions for the old UIDs are gone',
  );
  // "INBOX.old" shares the prefix "INBOX" as a string, not as a key part: untouched.
  assert.deepEqual(await repo.uidsInFolder('acct-a', 'INBOX.old'), [1]);
  assert.ok(await bodies.get(['acct-a', 'INBOX.old', 1]));
  assert.deepEqual(await repo.uidsInFolder('acct-b', 'INBOX'), [1]);
  assert.ok(await bodies.get(['acct-b', 'INBOX', 1]));
  assert.equal((await folders.get('acct-b', 'INBOX'))?.highestModseq, '18446744073709551615');
});

test('removeFolder refuses a folder holding POP3 mail', async () => {
  const repo = new MessagesRepo(await freshDb());
  await repo.putSummaries([summary({ uid: 'UIDL-1', accountId: 'pop' })]);
  await assert.rejects(repo.removeFolder('pop', 'INBOX'), isCode('invalid'));
  assert.deepEqual(await repo.uidsInFolder('pop', 'INBOX'), ['UIDL-1']);
});

test('remove deletes messages and their bodies', async () => {
  const db = await freshDb();
  const repo = new MessagesRepo(db);
  const bodies = new BodiesRepo(db);
  await repo.putSummaries([summary({ uid: 1 }), summary({ uid: 2 })]);
  await bodies.put({
    accountId: 'acct-a',
    folder: 'INBOX',
    uid: 1,
    raw: bytes('x'),
    complete: true,
  });
  await repo.remove([['acct-a', 'INBOX', 1]]);
  assert.equal(await repo.get(['acct-a', 'INBOX', 1]), undefined);
  assert.equal(await bodies.get(['acct-a', 'INBOX', 1]), undefined);
  assert.ok(await repo.get(['acct-a', 'INBOX', 2]));
});

test('putSummaries keeps the body state and lays queued actions over fresh server flags', async () => {
  const db = await freshDb();
  const repo = new MessagesRepo(db);
  const pending = new PendingRepo(db);
  await repo.putSummaries([summary({ uid: 1 }), summary({ uid: 2 }), summary({ uid: 3, seen: true })]);
  await new BodiesRepo(db).put({
    accountId: 'acct-a',
    folder: 'INBOX',
    uid: 1,
    raw: bytes('x'),
    complete: true,
  });
  await pending.markSeenLocally([['acct-a', 'INBOX', 1]], true);
  await pending.deleteLocally([['acct-a', 'INBOX', 2]]);

  // The server has not seen the queued actions yet and reports the old state.
  await repo.putSummaries([
    summary({ uid: 1, seen: false, subject: 'changed' }),
    summary({ uid: 2 }),
    summary({ uid: 3, seen: false }),
  ]);
  const one = await repo.get(['acct-a', 'INBOX', 1]);
  assert.equal(one?.subject, 'changed');
  assert.equal(one?.seen, true, 'the queued "mark read" still shows');
  assert.equal(one?.bodyState, 'full', 'the cached body is still known');
  assert.equal(
    (await repo.get(['acct-a', 'INBOX', 2]))?.deletedLocally,
    true,
    'queued delete keeps it hidden',
  );
  assert.equal((await repo.get(['acct-a', 'INBOX', 3]))?.seen, false, 'no queued action: server wins');
  assert.deepEqual(
    (await repo.listNewest({ limit: 10 })).rows.map((r) => r.uid),
    [3, 1],
  );
  assert.equal(await repo.countUnread('acct-a'), 1);
});

test('applyServerFlags updates known rows, skips unknown ones, and keeps queued actions on top', async () => {
  const db = await freshDb();
  const repo = new MessagesRepo(db);
  await repo.putSummaries([summary({ uid: 1 }), summary({ uid: 2 })]);
  await new PendingRepo(db).markFlaggedLocally([['acct-a', 'INBOX', 2]], true);
  const updated = await repo.applyServerFlags('acct-a', 'INBOX', [
    { uid: 1, seen: true, flagged: false, answered: true },
    { uid: 2, seen: true, flagged: false, answered: false },
    { uid: 99, seen: true, flagged: true, answered: true },
  ]);
  assert.equal(updated, 2);
  const one = await repo.get(['acct-a', 'INBOX', 1]);
  assert.deepEqual([one?.seen, one?.answered, one?.unread], [true, true, undefined]);
  assert.equal((await repo.get(['acct-a', 'INBOX', 2]))?.flagged, true);
  assert.equal(await repo.get(['acct-a', 'INBOX', 99]), undefined);
});

test('a bulk put that fails part-way writes nothing', async () => {
  const repo = new MessagesRepo(await freshDb());
  const batch = Array.from({ length: 2000 }, (_, i) => summary({ uid: i + 1 }));
  // A function cannot be structured-cloned: the put of row 1500 throws DataCloneError after
  // 1,499 puts were issued in the same transaction.
  (batch[1499] as unknown as Record<string, unknown>).preview = () => 'not cloneable';
  await assert.rejects(repo.putSummaries(batch), isCode('invalid'));
  assert.deepEqual(await repo.uidsInFolder('acct-a', 'INBOX'), []);
});

test('putSummaries refuses rows the indexes could not hold, before writing any', async () => {
  const repo = new MessagesRepo(await freshDb());
  await assert.rejects(
    repo.putSummaries([summary({ uid: 1 }), summary({ uid: 2, date: Number.NaN })]),
    isCode('invalid'),
  );
  await assert.rejects(repo.putSummaries([summary({ uid: 0 })]), isCode('invalid'));
  await assert.rejects(repo.putSummaries([summary({ uid: 1.5 })]), isCode('invalid'));
  await assert.rejects(repo.putSummaries([summary({ uid: '' })]), isCode('invalid'));
  assert.deepEqual(await repo.uidsInFolder('acct-a', 'INBOX'), []);
});

test('long previews are cut to keep rows small', async () => {
  const repo = new MessagesRepo(await freshDb());
  await repo.putSummaries([summary({ uid: 1, preview: 'x'.repeat(5000) })]);
  assert.equal((await repo.get(['acct-a', 'INBOX', 1]))?.preview.length, 200);
});

test('listNewest validates its query', async () => {
  const repo = new MessagesRepo(await freshDb());
  await assert.rejects(repo.listNewest({ limit: 0 }), isCode('invalid'));
  await assert.rejects(repo.listNewest({ limit: 1001 }), isCode('invalid'));
  await assert.rejects(repo.listNewest({ limit: 10, folder: 'INBOX' }), isCode('invalid'));
  assert.deepEqual(await repo.listNewest({ limit: 10 }), { rows: [], next: null });
});

test('a page exactly as long as what is left reports no next page', async () => {
  const repo = new MessagesRepo(await freshDb());
  await repo.putSummaries([summary({ uid: 1, date: 1 }), summary({ uid: 2, date: 2 })]);
  const page = await repo.listNewest({ limit: 2 });
  assert.deepEqual(
    page.rows.map((r) => r.uid),
    [2, 1],
  );
  assert.equal(page.next, null);
});

test('putSummaries keeps local state whether the re-put rows are dense or sparse in their folder', async () => {
  const db = await freshDb();
  const repo = new MessagesRepo(db);
  const bodies = new BodiesRepo(db);
  await repo.putSummaries(Array.from({ length: 10 }, (_, i) => summary({ uid: i + 1 })));
  for (const uid of [1, 5, 10]) {
    await bodies.put({
      accountId: 'acct-a',
      folder: 'INBOX',
      uid,
      raw: bytes('x'),
      complete: true,
    });
  }
  // Sparse: 2 of the 10 rows in [1, 10], read one by one.
  await repo.putSummaries([
    summary({ uid: 1, subject: 'sparse' }),
    summary({ uid: 10, subject: 'sparse' }),
    summary({ uid: 11 }),
  ]);
  // Dense: all rows of [4, 6], read with one getAll.
  await repo.putSummaries([4, 5, 6].map((uid) => summary({ uid, subject: 'dense' })));
  const state = async (uid: number) => {
    const row = await repo.get(['acct-a', 'INBOX', uid]);
    return `${row?.subject}/${row?.bodyState}`;
  };
  assert.equal(await state(1), 'sparse/full');
  assert.equal(await state(10), 'sparse/full');
  assert.equal(await state(11), 'message 11/none');
  assert.equal(await state(5), 'dense/full');
  assert.equal(await state(4), 'dense/none');
  assert.equal(await state(2), 'message 2/none');
});
