/**
 * A page of the newest rows of a list index, in one request where the browser can.
 *
 * A cursor costs a round trip to the browser's IndexedDB backend per row (in Chromium an IPC
 * each, 41 for the popup's first page). `IDBIndex.getAllRecords({query, count, direction})`
 * (https://w3c.github.io/IndexedDB/#dom-idbindex-getallrecords; Chromium 141+) returns the same
 * rows in the same order in one. Where it is missing (Firefox, fake-indexeddb) the cursor stays.
 *
 * Plain IndexedDB, no idb wrapper: the popup's early script (popup/boot.ts) reads its first page
 * with this before the rest of the popup's code has loaded.
 */
import type { MessageRow } from './schema.ts';

/** Where the next page starts: the sort key of the last row returned. Plain data, so it can cross the message port. */
export interface PageCursor {
  date: number;
  id: string;
}

/** A page of the newest-first list. */
export interface Page {
  rows: MessageRow[];
  /** Pass as `before` for the next page; null when this page reached the end. */
  next: PageCursor | null;
}

/** `getAllRecords` as IndexedDB 3.0 defines it; TypeScript's DOM types do not have it yet. */
interface RecordsIndex {
  getAllRecords(options: {
    query: IDBKeyRange | null;
    count: number;
    direction: IDBCursorDirection;
  }): IDBRequest<Array<{ value: MessageRow }>>;
}

function hasGetAllRecords(index: IDBIndex): index is IDBIndex & RecordsIndex {
  return typeof (index as Partial<RecordsIndex>).getAllRecords === 'function';
}

/** Up to `count` (≥ 1) rows of `index` within `range`, highest key first. */
export function readNewest(index: IDBIndex, range: IDBKeyRange | null, count: number): Promise<MessageRow[]> {
  return new Promise((resolve, reject) => {
    if (hasGetAllRecords(index)) {
      const request = index.getAllRecords({ query: range, count, direction: 'prev' });
      request.onsuccess = () => resolve(request.result.map((record) => record.value));
      request.onerror = () => reject(request.error);
      return;
    }
    const rows: MessageRow[] = [];
    const request = index.openCursor(range, 'prev');
    request.onsuccess = () => {
      const cursor = request.result;
      if (cursor) rows.push(cursor.value as MessageRow);
      if (cursor && rows.length < count) cursor.continue();
      else resolve(rows);
    };
    request.onerror = () => reject(request.error);
  });
}

/**
 * The order of the list indexes, whose keys end in `[shownDate, id]`, oldest first: by date, then
 * by id as IndexedDB compares strings (UTF-16 code units, as `<` does). For visible rows only,
 * which are the ones with a `shownDate`.
 */
export function listOrder(a: MessageRow, b: MessageRow): number {
  const byDate = (a.shownDate ?? a.date) - (b.shownDate ?? b.date);
  if (byDate !== 0) return byDate;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * The first `limit` (≥ 1) rows of `index` within `range`, newest first, and where the next page
 * starts. The index must be one of the list indexes, whose keys end in `[shownDate, id]`.
 */
export async function newestPage(index: IDBIndex, range: IDBKeyRange | null, limit: number): Promise<Page> {
  // One row past the page tells whether there is a next page.
  return pageOf(await readNewest(index, range, limit + 1), limit);
}

/**
 * The same over several ranges of one list index (an account's folders), merged newest first:
 * each range gives at most a page and one row, so the page and whether there is more are exact.
 */
export async function newestPageAcross(
  index: IDBIndex,
  ranges: readonly IDBKeyRange[],
  limit: number,
): Promise<Page> {
  const pages = await Promise.all(ranges.map((range) => readNewest(index, range, limit + 1)));
  const rows = pages.flat().sort((a, b) => listOrder(b, a));
  return pageOf(rows.length > limit + 1 ? rows.slice(0, limit + 1) : rows, limit);
}

/** A page from up to `limit` + 1 rows, newest first. */
function pageOf(rows: MessageRow[], limit: number): Page {
  const more = rows.length > limit;
  if (more) rows.pop();
  const last = rows.at(-1);
  return { rows, next: more && last ? { date: last.date, id: last.id } : null };
}
