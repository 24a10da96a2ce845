/**
 * The popup's first script. popup.html loads it `async`, ahead of the app's bundle, so the cache
 * opens and the list's first page is read while the rest of the popup's code is still loading
 * and starting (BENCHMARKS.md, popup-open), and the stored accounts alongside. Plain IndexedDB
 * and the browser's own extension API, no Preact and no polyfill, to stay small.
 *
 * The app (index.tsx) takes over the connection, the page and the accounts; when there is
 * nothing to take over (a database to create or migrate, an error) it opens and reads the
 * usual way, which also reports the error.
 */
import { newestPage, type Page } from '../extension/store/newest-page.ts';
import { DB_VERSION, DEFAULT_DB_NAME } from '../extension/store/schema.ts';
import { ACCOUNTS_KEY } from '../extension/store/settings.ts';
import { type AccountInfo, parseStoredAccounts } from './account-info.ts';
import { FIRST_PAGE } from './message-pages.ts';

performance.mark('biff-boot-start');

/**
 * Opens the cache if it is at DB_VERSION. Creating or migrating it is schema.ts's, with its
 * error handling: an upgrade is aborted here, and so is waiting on another page's connection.
 */
function openEarly(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const request = indexedDB.open(DEFAULT_DB_NAME, DB_VERSION);
    request.onupgradeneeded = () => request.transaction?.abort();
    request.onblocked = () => {
      settled = true;
      reject(new Error('blocked by an older connection'));
    };
    request.onsuccess = () => {
      const db = request.result;
      if (settled) {
        db.close();
        return;
      }
      settled = true;
      // As open-db.ts does: never hold up a newer version opened elsewhere.
      db.addEventListener('versionchange', () => db.close());
      resolve(db);
    };
    request.onerror = (event) => {
      // Handled: keep it from surfacing as an uncaught error on the page.
      event.preventDefault();
      settled = true;
      reject(request.error);
    };
  });
}

/** The early connection; rejects when the database needs creating or migrating, or fails to open. */
export const earlyDb: Promise<IDBDatabase> = openEarly();

/** The first page of the unfiltered list, what the popup shows first: `listNewest({limit: FIRST_PAGE})`. */
export const earlyFirstPage: Promise<Page> = earlyDb.then((db) => {
  performance.mark('biff-boot-open');
  return newestPage(db.transaction('messages').objectStore('messages').index('by-date'), null, FIRST_PAGE);
});
earlyFirstPage.then(
  () => performance.mark('biff-boot-page'),
  () => {
    // The app reads the page itself and reports what fails.
  },
);

/**
 * The parts of the extension API this script uses, taken from the browser itself: the
 * polyfill (extension/platform.ts, STYLE.md convention 5) would add its size and its start-up
 * to the popup's first frame. Firefox's `browser` and Chrome's `chrome` both return promises
 * from `storage.local.get` in Manifest V3.
 */
interface NativeApi {
  storage: { local: { get(keys: string[]): Promise<Record<string, unknown>> } };
}
const extensionApi = globalThis as unknown as { browser?: NativeApi; chrome?: NativeApi };
const native = extensionApi.browser ?? extensionApi.chrome;

/**
 * The stored accounts as the popup shows them, or null when they cannot be read here. What
 * use-accounts.ts makes of the same value: validation (settings.ts) copies the fields the popup
 * shows unchanged, and what fails it is read with the same parseStoredAccounts().
 */
export const earlyAccounts: Promise<AccountInfo[] | null> = (async () => {
  try {
    return parseStoredAccounts((await native!.storage.local.get([ACCOUNTS_KEY]))[ACCOUNTS_KEY]);
  } catch {
    return null;
  }
})();

earlyAccounts.then(() => performance.mark('biff-boot-accounts'));

/** What the early script read: the unfiltered list's first page, and the stored accounts (null when unread). */
export interface EarlyView {
  page: Page;
  accounts: AccountInfo[] | null;
}

/** The first page and the accounts, once both are in; rejects as earlyFirstPage does. */
export const earlyView: Promise<EarlyView> = Promise.all([earlyFirstPage, earlyAccounts]).then(
  ([page, accounts]) => ({ page, accounts }),
);
// Handled now: the app's bundle, which reads it, may start only after it has rejected (a
// database still to create), and an unhandled rejection would surface as an error on the page.
earlyView.catch(() => {});
