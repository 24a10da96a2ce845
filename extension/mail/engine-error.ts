/**
 * Failures Biff's own code detects about a request (as opposed to the relay, a server or the
 * store): the engine and the protocol drivers both raise them, so the class lives here, below
 * the engine, and mail/ never has to import upward.
 * - `no_password`: the account has no stored password (classified as an auth problem).
 * - `no_account`: the account was removed while something was in flight.
 * - `not_found`: a message id that is not in the cache.
 * - `too_late`: an undo after the action was already applied.
 * - `invalid`: a request the engine cannot act on.
 */
export type EngineErrorCode = 'no_password' | 'no_account' | 'not_found' | 'too_late' | 'invalid';

export class EngineError extends Error {
  override readonly name = 'EngineError';
  constructor(
    readonly code: EngineErrorCode,
    message: string,
  ) {
    super(message);
  }
}
