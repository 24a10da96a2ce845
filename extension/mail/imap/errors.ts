/**
 * The IMAP side's own error class (STYLE.md convention 6), for the failures that imapflow does
 * not raise itself. Errors imapflow throws (with `code`, `authenticationFailed`,
 * `responseStatus`, `serverResponseCode`) and relay `TransportError`s pass through unchanged,
 * so the engine's classifier sees their codes intact; `redactSecret` is applied to every error
 * leaving this folder so no message or property carries the password.
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

/** Shortest password that is searched for and replaced: shorter strings occur in ordinary text. */
const MIN_SECRET_LENGTH = 3;
const REDACTED = '[redacted]';

function base64(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

/**
 * Removes `secret` (and its SASL PLAIN/LOGIN base64 forms for `user`) from the message and every
 * string property of `error` and its causes, in place, and returns it. Servers and libraries
 * sometimes echo a command line in an error; this makes sure a password never reaches a log,
 * a `lastError` or the UI.
 */
export function redactSecret<T>(error: T, secret: string, user = ''): T {
  if (secret.length < MIN_SECRET_LENGTH) return error;
  const needles = [
    secret,
    base64(secret),
    base64(`\u0000${user}\u0000${secret}`),
    base64(`${user}\u0000${user}\u0000${secret}`),
  ];
  const scrub = (text: string): string => {
    let out = text;
    for (const needle of needles) out = out.split(needle).join(REDACTED);
    return out;
  };
  const seen = new Set<object>();
  const visit = (value: unknown, depth: number): void => {
    if (typeof value !== 'object' || value === null || seen.has(value) || depth > 4) return;
    if (ArrayBuffer.isView(value)) return;
    seen.add(value);
    const record = value as Record<string, unknown>;
    for (const key of Object.getOwnPropertyNames(value)) {
      let current: unknown;
      try {
        current = record[key];
      } catch {
        continue;
      }
      if (typeof current === 'string') {
        const clean = scrub(current);
        if (clean !== current) {
          try {
            record[key] = clean;
          } catch {
            /* a read-only property: nothing we can do, and nothing we add */
          }
        }
      } else if (typeof current === 'object' && current !== null) {
        visit(current, depth + 1);
      }
    }
  };
  visit(error, 0);
  return error;
}
