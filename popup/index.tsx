/**
 * Popup entry. boot.ts, loaded ahead of this bundle, has been opening the cache and reading the
 * list's first page and the stored accounts meanwhile: the cache takes over that connection,
 * and the first render waits a moment for that page and those accounts, so the popup's first
 * frame shows messages, with their account colours and the account filter, rather than an
 * empty list that the filter bar then pushes down. The background is asked only afterwards
 * (app.tsx).
 */
import { wrap } from 'idb';
import { render } from 'preact';
import type { Page } from '../extension/store/messages-repo.ts';
import { type BiffDatabase, openBiffDb } from '../extension/store/schema.ts';
import type { AccountInfo } from './account-info.ts';
import { App } from './app.tsx';
import { earlyDb, earlyFirstPage, earlyView } from './boot.ts';
import { Cache } from './cache.ts';

/**
 * Longest wait for the early page and accounts before rendering without them (the list then
 * shows the page, or reads its own, when it arrives): a blank popup for longer would feel
 * slower than a list that fills in.
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

let pageSoFar: Page | null = null;
earlyFirstPage.then(
  (page) => {
    pageSoFar = page;
  },
  () => {},
);
const waited = new Promise<{ page: Page | null; accounts: AccountInfo[] | null }>((resolve) => {
  setTimeout(() => resolve({ page: pageSoFar, accounts: null }), FIRST_PAGE_WAIT_MS);
  earlyView.then(resolve, () => resolve({ page: null, accounts: null }));
});
void waited.then(({ page, accounts }) =>
  render(
    <App cache={cache} early={{ now: page, later: earlyFirstPage }} earlyAccounts={accounts} />,
    document.getElementById('app')!,
  ),
);
