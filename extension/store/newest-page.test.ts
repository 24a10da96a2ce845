import assert from 'node:assert/strict';
import { test } from 'node:test';
import 'fake-indexeddb/auto';
import { newestPage } from './newest-page.ts';
import type { MessageRow } from './schema.ts';

/** Just the fields the page is built from. */
function row(id: string, date: number): MessageRow {
  return { id, date } as MessageRow;
}

/**
 * fake-indexeddb has no getAllRecords, so messages-repo.test.ts covers the cursor. This stands
 * in for a browser that has it: one request, with the range, count and direction given.
 */
test('with getAllRecords a page is one request for limit + 1 rows, last key first', async () => {
  const asked: unknown[] = [];
  const range = IDBKeyRange.upperBound([5, 'x'], true);
  const index = {
    getAllRecords(options: unknown) {
      asked.push(options);
      const request = { result: [row('c', 3), row('b', 2), row('a', 1)].map((value) => ({ value })) } as {
        result: unknown;
        onsuccess?: () => void;
      };
      queueMicrotask(() => request.onsuccess?.());
      return request;
    },
    openCursor() {
      throw new Error('the cursor was used');
    },
  } as unknown as IDBIndex;
  const page = await newestPage(index, range, 2);
  assert.deepEqual(asked, [{ query: range, count: 3, direction: 'prev' }]);
  assert.deepEqual(
    page.rows.map((r) => r.id),
    ['c', 'b'],
  );
  assert.deepEqual(page.next, { date: 2, id: 'b' });
});
