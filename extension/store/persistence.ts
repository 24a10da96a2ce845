/**
 * Asking the browser not to evict our storage under pressure (https://storage.spec.whatwg.org/#persistence).
 * POP3 mail may exist only in our IndexedDB, so best-effort storage could lose it. Extensions
 * with `unlimitedStorage` are usually persistent already; asking is harmless when they are.
 */

/** The part of `navigator.storage` this needs; tests pass a fake. */
export interface PersistableStorage {
  persisted?: () => Promise<boolean>;
  persist?: () => Promise<boolean>;
}

/**
 * Requests persistent storage. True when storage is (now) persistent; false when the API is
 * missing, refused, or throws (it never rejects).
 *
 * @param storage `navigator.storage` by default.
 */
export async function requestPersistentStorage(
  storage: PersistableStorage | undefined = globalThis.navigator?.storage,
): Promise<boolean> {
  try {
    if (!storage?.persist) return false;
    if (storage.persisted && (await storage.persisted())) return true;
    return (await storage.persist()) === true;
  } catch {
    return false;
  }
}
