/**
 * The IMAP side's own error class (STYLE.md convention 6), for the failures that imapflow does
 * not raise itself. Errors imapflow throws (with `code`, `authenticationFailed`,
 * `responseStatus`, `serverResponseCode`) and relay `TransportError`s pass through unchanged,
 * so the engine's classifier sees their codes intact; `redactSecret` (mail/redact.ts) is
 * applied to every error leaving this folder so no message or property carries the password.
 */

export type ImapErrorCode =
  /**
   * The message is larger than the body size cap (RFC822.SIZE checked before downloading);
   * `details.size` and `details.limit` say by how much. Nothing was downloaded.
   */
  | 'too_large'
  /** The message no longer exists on the server (expunged elsewhere); its local row was removed. */
  | 'message_gone'
  /**
   * The folder's UIDVALIDITY differs from the one the cache was built under (RFC 3501
   * §2.3.1.1): the cached UIDs name other messages now. Nothing was sent; a sync rebuilds the folder.
   */
  | 'uidvalidity_changed'
  /** The folder has not been synchronised yet (no UIDVALIDITY known), so its UIDs cannot be trusted. */
  | 'folder_not_synced'
  /**
   * The server answered NO or BAD to a command that imapflow reports only as `false`
   * (STORE, COPY, MOVE, STATUS). The connection is still usable.
   */
  | 'command_failed'
  /** The connection dropped during a command that imapflow reports only as `false`. */
  | 'connection_lost'
  /** The caller aborted through `SyncContext.signal`. */
  | 'aborted';

/** A failure of the IMAP layer with a code from the closed union above. */
export class ImapError extends Error {
  override readonly name = 'ImapError';
  constructor(
    readonly code: ImapErrorCode,
    message: string,
    readonly details: Readonly<Record<string, number | string>> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
