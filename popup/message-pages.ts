/**
 * Paging through the newest-first list for the virtualised view: the first page small (it is
 * what paints first), later pages bigger, up to a memory cap; and a refresh that re-reads from
 * the top through the rows the user can see. Pure functions over a `listNewest`, so they are
 * tested against the real repository on fake-indexeddb.
 */
import { type ListQuery, MAX_PAGE, type Page, type PageCursor } from '../extension/store/messages-repo.ts';
import type { MessageRow } from '../extension/store/schema.ts';

/** Rows of the first read: a screenful and a little more, so the popup paints after one short read. */
export const FIRST_PAGE = 40;
/** Rows per later read: a few screens, small enough to keep each read transaction short. */
export const PAGE_SIZE = 400;
/**
 * Most rows kept in memory. A summary is well under 1 kB, so this is a few MB at most; past it
 * the list stops and says so rather than growing without bound.
 */
export const MAX_LOADED_ROWS = 20_000;

/** Which messages the list shows. */
export interface ListFilter {
  accountId?: string;
  /** Only with `accountId`. */
  folder?: string;
}

/** The list's reading function (MessagesRepo.listNewest). */
export type ListNewest = (query: ListQuery) => Promise<Page>;

/** What is loaded so far. */
export interface Loaded {
  rows: MessageRow[];
  /** Where the next page starts; null when the end of the cache was reached. */
  next: PageCursor | null;
  /** True when the memory cap stopped loading before the end. */
  capped: boolean;
}

function query(filter: ListFilter, limit: number, before: PageCursor | null): ListQuery {
  const q: ListQuery = { limit, before };
  if (filter.accountId !== undefined) {
    q.accountId = filter.accountId;
    if (filter.folder !== undefined) q.folder = filter.folder;
  }
  return q;
}

/** What is loaded after reading `page` first. */
export function firstLoaded(page: Page): Loaded {
  return {
    rows: page.rows,
    next: page.next,
    capped: page.next !== null && page.rows.length >= MAX_LOADED_ROWS,
  };
}

/** The first page. */
export async function loadFirst(list: ListNewest, filter: ListFilter, limit = FIRST_PAGE): Promise<Loaded> {
  return firstLoaded(await list(query(filter, Math.min(limit, MAX_LOADED_ROWS), null)));
}

/** The next page appended; unchanged when the end or the cap was reached. */
export async function loadMore(
  list: ListNewest,
  filter: ListFilter,
  loaded: Loaded,
  limit = PAGE_SIZE,
  cap = MAX_LOADED_ROWS,
): Promise<Loaded> {
  const room = cap - loaded.rows.length;
  if (loaded.next === null || room <= 0) return { ...loaded, capped: loaded.next !== null };
  const page = await list(query(filter, Math.min(limit, room, MAX_PAGE), loaded.next));
  const rows = loaded.rows.concat(page.rows);
  return { rows, next: page.next, capped: page.next !== null && rows.length >= cap };
}

/**
 * Re-reads the newest `count` rows (at least a first page), dropping what was loaded beyond
 * them: after a change anywhere, the rows on screen are current and the rest loads again on
 * scrolling. Costs one read per MAX_PAGE rows.
 */
export async function reloadHead(
  list: ListNewest,
  filter: ListFilter,
  count: number,
  cap = MAX_LOADED_ROWS,
): Promise<Loaded> {
  const want = Math.min(cap, Math.max(FIRST_PAGE, count));
  let loaded = await loadFirst(list, filter, Math.min(want, MAX_PAGE));
  while (loaded.next !== null && loaded.rows.length < want) {
    loaded = await loadMore(list, filter, loaded, Math.min(MAX_PAGE, want - loaded.rows.length), cap);
  }
  return loaded;
}
