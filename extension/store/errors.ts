/**
 * The store boundary's one error class (STYLE.md convention 6). Every promise the store
 * returns rejects with a `StoreError`; DOMExceptions from IndexedDB are mapped to a code here
 * and nowhere else, so user-facing text can be derived from the code alone.
 */

/**
 * Every store error code:
 * - `quota_exceeded`: the browser refused to grow the database (QuotaExceededError); evict bodies or ask for persistence.
 * - `not_found`: the record the call names does not exist.
 * - `invalid`: the caller passed something the store refuses (bad settings, a POP3 key where an IMAP one is needed, …).
 * - `conflict`: a write collided with an existing record (ConstraintError), e.g. storing a POP3 UIDL twice.
 * - `version`: the database on disk is newer than this code (VersionError: the extension was downgraded).
 * - `blocked`: an older connection in another extension page would not close, so the upgrade could not run.
 * - `unavailable`: IndexedDB cannot be used (private browsing, connection closed, storage corrupted).
 * - `aborted`: the transaction was aborted without a more specific cause.
 * - `locked`: the secrets are encrypted with the primary password and it was not entered in this browser session.
 * - `wrong_password`: the primary password given is not the one the secrets are encrypted with.
 * - `tampered`: the encrypted secrets do not decrypt with the right key: changed or damaged at rest.
 * - `unknown`: anything else; the original error is the `cause`.
 */
export type StoreErrorCode =
  | 'quota_exceeded'
  | 'not_found'
  | 'invalid'
  | 'conflict'
  | 'version'
  | 'blocked'
  | 'unavailable'
  | 'aborted'
  | 'locked'
  | 'wrong_password'
  | 'tampered'
  | 'unknown';

/** An error at the store boundary, with a code from the closed union above. */
export class StoreError extends Error {
  override readonly name = 'StoreError';
  readonly code: StoreErrorCode;

  constructor(code: StoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** DOMException names (https://w3c.github.io/IndexedDB/#exceptions) and the code each maps to. */
const DOM_EXCEPTION_CODES: Readonly<Record<string, StoreErrorCode>> = {
  QuotaExceededError: 'quota_exceeded',
  VersionError: 'version',
  ConstraintError: 'conflict',
  DataError: 'invalid',
  DataCloneError: 'invalid',
  NotFoundError: 'not_found',
  AbortError: 'aborted',
  InvalidStateError: 'unavailable',
  UnknownError: 'unavailable',
  TransactionInactiveError: 'unavailable',
  ReadOnlyError: 'unknown',
  InvalidAccessError: 'unknown',
};

/** Maps anything thrown inside the store to a `StoreError`, keeping the original as `cause`. */
export function toStoreError(error: unknown): StoreError {
  if (error instanceof StoreError) return error;
  // fake-indexeddb and some engines throw Error subclasses with DOMException names, so match on name.
  if (error instanceof Error || (typeof error === 'object' && error !== null && 'name' in error)) {
    const { name, message } = error as { name: unknown; message?: unknown };
    const code = typeof name === 'string' ? DOM_EXCEPTION_CODES[name] : undefined;
    const text = typeof message === 'string' && message !== '' ? message : String(name);
    return new StoreError(code ?? 'unknown', text, { cause: error });
  }
  return new StoreError('unknown', String(error), { cause: error });
}
