import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MessagesRepo } from '../extension/store/messages-repo.ts';
import { freshDb, summary } from '../test/support/store.ts';
import { FIRST_PAGE, type ListNewest, loadFirst, loadMore, reloadHead } from './message-pages.ts';

const T0 = Date.UTC(2024, 0, 1);

/** n messages, uid i dated i minutes after T0, alternating between two accounts. */
async function seeded(n: number) {
  const db = await freshDb();
  const repo = new MessagesRepo(db);
  const rows = Array.from({ length: n }, (_, i) =>
    summary({ uid: i + 1, accountId: i % 2 === 0 ? 'even' : 'odd', date: T0 + i * 60_000 }),
  );
  await repo.putSummaries(rows);
  const calls: number[] = [];
  const list: ListNewest = (q) => {
    calls.push(q.limit);
    return repo.listNewest(q);
  };
  return { repo, list, calls };
}

const uids = (rows: { uid: number | string }[]) => rows.map((r) => r.uid);

test('the first page is small and newest first', async () => {
  const { list, calls } = await seeded(100);
  const first = await loadFirst(list, {});
  assert.equal(first.rows.length, FIRST_PAGE);
  assert.deepEqual(uids(first.rows).slice(0, 3), [100, 99, 98]);
  assert.notEqual(first.next, null);
  assert.deepEqual(calls, [FIRST_PAGE]);
});

test('paging continues exactly after the previous page, to the end, without gaps or repeats', async () => {
  const { list } = await seeded(250);
  let loaded = await loadFirst(list, {});
  while (loaded.next !== null) loaded = await loadMore(list, {}, loaded, 70);
  assert.deepEqual(
    uids(loaded.rows),
    Array.from({ length: 250 }, (_, i) => 250 - i),
  );
  assert.equal(loaded.capped, false);
  // At the end, more is a no-op.
  assert.equal((await loadMore(list, {}, loaded)).rows.length, 250);
});

test('the account filter pages through that account only', async () => {
  const { list } = await seeded(100);
  let loaded = await loadFirst(list, { accountId: 'odd' }, 10);
  while (loaded.next !== null) loaded = await loadMore(list, { accountId: 'odd' }, loaded, 15);
  assert.equal(loaded.rows.length, 50);
  assert.ok(loaded.rows.every((r) => r.accountId === 'odd'));
  assert.deepEqual(uids(loaded.rows).slice(0, 2), [100, 98]);
});

test('the folder filter passes account and folder', async () => {
  const { list } = await seeded(10);
  const loaded = await loadFirst(list, { accountId: 'even', folder: 'INBOX' });
  assert.deepEqual(uids(loaded.rows), [9, 7, 5, 3, 1]);
  assert.equal((await loadFirst(list, { accountId: 'even', folder: 'Archive' })).rows.length, 0);
});

test('loading stops at the memory cap and says so', async () => {
  const { list } = await seeded(120);
  let loaded = await loadFirst(list, {}, 40);
  loaded = await loadMore(list, {}, loaded, 50, 100);
  loaded = await loadMore(list, {}, loaded, 50, 100);
  assert.equal(loaded.rows.length, 100);
  assert.equal(loaded.capped, true);
  const again = await loadMore(list, {}, loaded, 50, 100);
  assert.equal(again.rows.length, 100);
  assert.equal(again.capped, true);
});

test('a refresh re-reads through the visible rows and shows changes, in pages of at most MAX_PAGE', async () => {
  const { repo, list, calls } = await seeded(2500);
  let loaded = await loadFirst(list, {});
  while (loaded.rows.length < 2300) loaded = await loadMore(list, {}, loaded, 400);
  // A new message arrives and one that was loaded is read elsewhere.
  await repo.putSummaries([
    summary({ uid: 9999, accountId: 'even', date: T0 + 10_000 * 60_000, subject: 'new' }),
    summary({ uid: 2400, accountId: 'odd', date: T0 + 2399 * 60_000, seen: true }),
  ]);
  calls.length = 0;
  const refreshed = await reloadHead(list, {}, 1200);
  assert.equal(refreshed.rows.length, 1200);
  assert.equal(refreshed.rows[0]?.subject, 'new');
  assert.equal(refreshed.rows.find((r) => r.uid === 2400)?.seen, true);
  assert.deepEqual(calls, [1000, 200]);
  // The rest pages in again from where the refresh stopped.
  const more = await loadMore(list, {}, refreshed, 400);
  assert.deepEqual(uids(more.rows.slice(1199, 1202)), [1302, 1301, 1300]);
});
