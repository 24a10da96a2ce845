/**
 * Opening an IndexedDB database with an upgrade callback, from any IDBFactory, with errors
 * mapped to StoreError. idb's `openDB` always uses the global `indexedDB`; tests and a future
 * worker need to pass another, so the few lines of it that matter are here.
 */
import { type DBSchema, type IDBPDatabase, type IDBPTransaction, type StoreNames, wrap } from 'idb';
import { StoreError, toStoreError } from './errors.ts';

/** Migrates a database from `oldVersion` (0 when new) inside the versionchange transaction. */
export type Upgrade<S extends DBSchema> = (
  db: IDBPDatabase<S>,
  oldVersion: number,
  tx: IDBPTransaction<S, StoreNames<S>[], 'versionchange'>,
) => void;

/** Opens `name` at `version`, running `upgrade` when needed. */
export interface OpenRequest<S extends DBSchema> {
  factory: IDBFactory | undefined;
  name: string;
  version: number;
  upgrade: Upgrade<S>;
  /** Give up with `blocked` when older connections elsewhere have not closed after this long. */
  blockedTimeoutMs: number;
}

/**
 * Opens a database. The returned connection closes itself on `versionchange`, so a newer
 * version opened elsewhere is never blocked by it; after that, calls on it fail with
 * InvalidStateError (`unavailable`) and the caller opens a new one.
 */
export function openDatabase<S extends DBSchema>(request: OpenRequest<S>): Promise<IDBPDatabase<S>> {
  const { factory, name, version, upgrade, blockedTimeoutMs } = request;
  return new Promise((resolve, reject) => {
    if (!factory) {
      reject(new StoreError('unavailable', 'IndexedDB is not available in this context'));
      return;
    }
    let open: IDBOpenDBRequest;
    try {
      open = factory.open(name, version);
    } catch (error) {
      reject(toStoreError(error));
      return;
    }
    let settled = false;
    let blockedTimer: ReturnType<typeof setTimeout> | undefined;

    open.addEventListener('upgradeneeded', (event) => {
      const db = wrap(open.result) as unknown as IDBPDatabase<S>;
      const tx = wrap(open.transaction!) as unknown as IDBPTransaction<S, StoreNames<S>[], 'versionchange'>;
      upgrade(db, event.oldVersion, tx);
    });
    open.addEventListener('blocked', () => {
      blockedTimer ??= setTimeout(() => {
        settled = true;
        reject(new StoreError('blocked', `another page keeps an old version of ${name} open`));
      }, blockedTimeoutMs);
    });
    open.addEventListener('success', () => {
      clearTimeout(blockedTimer);
      const raw = open.result;
      if (settled) {
        // We gave up with `blocked` and the open went through later: nobody holds this connection.
        raw.close();
        return;
      }
      settled = true;
      raw.addEventListener('versionchange', () => raw.close());
      resolve(wrap(raw) as unknown as IDBPDatabase<S>);
    });
    open.addEventListener('error', (event) => {
      clearTimeout(blockedTimer);
      // Handled here; keep it from also surfacing as an uncaught error on the global scope.
      event.preventDefault();
      if (settled) return;
      settled = true;
      reject(toStoreError(open.error));
    });
  });
}
