/**
 * Popup entry. boot.ts, loaded ahead of this bundle, has been opening the cache and reading the
 * list's first page meanwhile: the cache takes over that connection, and the first render waits
 * a moment for that page, so the popup's first frame shows messages rather than an empty list.
 * The background is asked only afterwards (app.tsx).
 */
import { wrap } from 'idb';
import { render } from 'preact';
import type { Page } from '../extension/store/messages-repo.ts';
import { type BiffDatabase, openBiffDb } from '../extension/store/schema.ts';
import { App } from './app.tsx';
import { earlyDb, earlyFirstPage } from './boot.ts';
import { Cache } from './cache.ts';

/**
 * Longest wait for the early page before rendering without it (the list then shows it, or
 * reads its own, when it arrives): a blank popup for longer would feel slower than a list that
 * fills in.
 */
const FIRST_PAGE_WAIT_MS = 100;

performance.mark('biff-script-start');
let early: Promise<BiffDatabase> | null = earlyDb.then((db) => wrap(db) as unknown as BiffDatabase);
const cache = new Cache(() => {
  // The early connection once; when there was none, or later (after a schema upgrade elsewhere
  // closed it), the usual open, which creates and migrates the database.
  const db = early?.catch(() => openBiffDb()) ?? openBiffDb();
  early = null;
  return db;
});
// Start opening now; a failure is reported by the first read.
cache.ready().catch(() => {});

const waited = new Promise<Page | null>((resolve) => {
  setTimeout(() => resolve(null), FIRST_PAGE_WAIT_MS);
  earlyFirstPage.then(resolve, () => resolve(null));
});
void waited.then((page) =>
  render(<App cache={cache} early={{ now: page, later: earlyFirstPage }} />, document.getElementById('app')!),
);
