/**
 * Running a transaction body so that it is all-or-nothing and fails with a StoreError.
 *
 * The IndexedDB traps this exists for:
 * 1. A request that throws synchronously (DataCloneError, DataError) does not abort the
 *    transaction: requests already issued would still commit. So any throw aborts explicitly.
 * 2. idb creates `tx.done` for every transaction; when the transaction aborts and nobody awaits
 *    it, it is an unhandled rejection. So it is always awaited or caught here.
 * 3. Likewise every request promise idb creates rejects when the transaction aborts. Writes are
 *    therefore issued through `putAll`/`addAll`/`deleteAll`, which create no promises: a failed
 *    write aborts the transaction and is reported once, by `tx.done`. Reads are awaited.
 */
import { type IDBPObjectStore, type StoreKey, type StoreNames, type StoreValue, unwrap } from 'idb';
import { StoreError, toStoreError } from './errors.ts';
import type { BiffDB } from './schema.ts';

/** The part of an idb transaction this needs. */
export interface Abortable {
  readonly done: Promise<void>;
  abort(): void;
  addEventListener(type: 'error', listener: (event: Event) => void): void;
}

/**
 * Runs `body` inside `tx`, waits for the commit, and aborts on any error. The error reported is
 * the first failed request's (a ConstraintError, say), not the AbortError it caused: idb's
 * `tx.done` only sees the latter, because a request's error reaches the transaction before the
 * abort sets `tx.error`.
 */
export async function runTx<T>(tx: Abortable, body: () => Promise<T>): Promise<T> {
  let requestError: unknown;
  tx.addEventListener('error', (event) => {
    requestError ??= (event.target as IDBRequest | null)?.error ?? undefined;
  });
  const done = tx.done;
  try {
    const result = await body();
    await done;
    return result;
  } catch (error) {
    done.catch(() => {
      // Reported through `error` below; the abort's own rejection says nothing more.
    });
    try {
      tx.abort();
    } catch {
      // Already aborted by the failed request, or already committed.
    }
    throw toStoreError(error instanceof StoreError ? error : (requestError ?? error));
  }
}

/**
 * Issues one put per value without creating a promise per request, for bulk writes of
 * thousands of rows: a failing request aborts the transaction and surfaces through `tx.done`,
 * which `runTx` awaits. (With idb's wrapped `put`, each un-awaited promise would also reject
 * unhandled.)
 */
export function putAll<Name extends StoreNames<BiffDB>>(
  store: IDBPObjectStore<BiffDB, ArrayLike<StoreNames<BiffDB>>, Name, 'readwrite'>,
  values: Iterable<StoreValue<BiffDB, Name>>,
): void {
  const raw = unwrap(store);
  for (const value of values) raw.put(value);
}

/** Like `putAll`, with `add`: a key that exists fails the request and so aborts the transaction. */
export function addAll<Name extends StoreNames<BiffDB>>(
  store: IDBPObjectStore<BiffDB, ArrayLike<StoreNames<BiffDB>>, Name, 'readwrite'>,
  values: Iterable<StoreValue<BiffDB, Name>>,
): void {
  const raw = unwrap(store);
  for (const value of values) raw.add(value);
}

/** Like `putAll`, for deletes by key or key range. */
export function deleteAll<Name extends StoreNames<BiffDB>>(
  store: IDBPObjectStore<BiffDB, ArrayLike<StoreNames<BiffDB>>, Name, 'readwrite'>,
  keys: Iterable<StoreKey<BiffDB, Name> | IDBKeyRange>,
): void {
  const raw = unwrap(store);
  for (const key of keys) raw.delete(key);
}
