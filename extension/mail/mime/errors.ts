/**
 * The MIME layer's one error class (STYLE.md convention 6): a `code` from a closed union, each
 * code documented here. User-facing text is derived from the code elsewhere, never from
 * `message`, which is for logs and tests.
 */

export type MimeErrorCode =
  /**
   * The raw message is larger than the parse limit (`maxBytes`, default MAX_MESSAGE_BYTES).
   * Nothing was parsed: the caller can offer the raw source or a download instead.
   */
  | 'too_large'
  /**
   * postal-mime rejected the structure (MIME nesting deeper than its limit, header blocks
   * larger than its limit, or an exception inside the parser), or the input had no header
   * block at all. parseMessage does not throw this: it returns a best-effort reading with
   * `recoveredFrom: 'malformed'`; parseHeaders throws it when there is nothing to recover.
   */
  | 'malformed'
  /** The caller passed something that is not a parse input (not a Uint8Array, a bad limit). */
  | 'invalid_input';

/** A failure of the MIME layer; see MimeErrorCode for what each code means. */
export class MimeError extends Error {
  override readonly name = 'MimeError';

  constructor(
    readonly code: MimeErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
