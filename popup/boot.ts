/**
 * The popup's first script. popup.html loads it `async`, ahead of the app's bundle, so the cache
 * opens and the list's first page is read while the rest of the popup's code is still loading
 * and starting (BENCHMARKS.md, popup-open). Plain IndexedDB and nothing else, to stay small.
 * The app (index.tsx) takes over the connection and the page; when there is nothing to take
 * over (a database to create or migrate, an error) it opens and reads the usual way, which
 * also reports the error.
 */
import { newestPage, type Page } from '../extension/store/newest-page.ts';
import { DB_VERSION, DEFAULT_DB_NAME } from '../extension/store/schema.ts';
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
