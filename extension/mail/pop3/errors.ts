/**
 * The POP3 client's one error class (STYLE.md convention 6): a `code` from a closed union,
 * each code documented here. `message` is for logs and tests; user-facing text is derived
 * from the code in extension/engine/classify.ts. No message ever contains the password or
 * an AUTH payload: they are built from the command verb and the server's reply text only.
 */
import type { RespCode } from './resp-codes.ts';

export type Pop3ErrorCode =
  /**
   * The server refused the credentials: -ERR to USER, PASS, APOP or AUTH, or any reply with
   * [AUTH] (RFC 3206 §4). Retrying with the same password will not help.
   */
  | 'auth_failed'
  /** [IN-USE] (RFC 2449 §8.1.1): another session holds the maildrop lock. Retry later. */
  | 'in_use'
  /**
   * [LOGIN-DELAY] (RFC 2449 §8.1.2): logged in again too soon; the minimum interval is in
   * `Capabilities.loginDelay` when the server announced it.
   */
  | 'login_delay'
  /** [SYS/TEMP] (RFC 3206 §4): a temporary server problem (e.g. a backend down). Retry later. */
  | 'temporary'
  /** [SYS/PERM] (RFC 3206 §4): a lasting server problem (e.g. account disabled, mailbox corrupt). */
  | 'permanent'
  /**
   * -ERR to a command, with no response code that says more (e.g. "-ERR no such message"),
   * or an -ERR greeting. The connection stays in sync and usable.
   */
  | 'rejected'
  /**
   * The server lacks something we need: UIDL ("server unsupported: no UIDL"), TOP, or an APOP
   * timestamp in its greeting. Nothing was sent, or the -ERR left the connection usable.
   */
  | 'unsupported'
  /**
   * The server sent something that is not POP3: a garbage reply, a line longer than its limit,
   * a malformed listing line, a listing over its byte or line cap (more than a maildrop holds), data nobody asked for (e.g. bytes after the STLS +OK, an
   * injection attempt), or an unexpected SASL challenge. The connection is closed.
   */
  | 'protocol'
  /** No reply, or no progress of a transfer, within the timeout. The connection is closed. */
  | 'timeout'
  /**
   * The connection ended before the reply was complete (`cause`: the TransportError, if any),
   * or the session was already closed (after QUIT, close() or an earlier fatal error).
   */
  | 'closed'
  /**
   * TLS is needed and unavailable: the server does not advertise STLS, or login() would send
   * the password in clear on a connection without TLS and `allowPlaintext` was not given.
   * Nothing was sent.
   */
  | 'tls_required'
  /**
   * The server refused STLS (-ERR; the connection stays usable, in clear), or the TLS
   * handshake after its +OK failed (`cause`: the TransportError, e.g. `tls_untrusted` with the
   * certificate to show; the connection is closed).
   */
  | 'stls_failed'
  /**
   * A message is larger than the cap. Refused before sending when a LIST gave its size (the
   * connection stays usable); otherwise aborted mid-transfer, and then the connection is
   * closed: POP3 cannot cancel a RETR, so the only way back in sync would be to read the rest.
   */
  | 'too_large';

/** Details that travel with a Pop3Error. */
export interface Pop3ErrorDetails {
  /** Verb of the command whose reply failed, e.g. `PASS` (never its arguments). */
  command?: string;
  /** The server's reply text (after the response code), when the error comes from an -ERR. */
  serverText?: string;
  /** The RFC 2449 response code of that reply, if any. */
  respCode?: RespCode;
  /** What caused it, e.g. the TransportError that closed the connection. */
  cause?: unknown;
}

/** A failure of the POP3 client; see Pop3ErrorCode for what each code means. */
export class Pop3Error extends Error {
  override readonly name = 'Pop3Error';
  readonly command: string | undefined;
  readonly serverText: string | undefined;
  readonly respCode: RespCode | undefined;

  constructor(
    readonly code: Pop3ErrorCode,
    message: string,
    details: Pop3ErrorDetails = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.command = details.command;
    this.serverText = details.serverText;
    this.respCode = details.respCode;
  }
}

/** Error codes the RFC 2449/3206 response codes stand for; [UTF8] says nothing about failure. */
const RESP_CODE_ERRORS: Partial<Record<RespCode, Pop3ErrorCode>> = {
  AUTH: 'auth_failed',
  'IN-USE': 'in_use',
  'LOGIN-DELAY': 'login_delay',
  'SYS/TEMP': 'temporary',
  'SYS/PERM': 'permanent',
};

/** How a command wants its -ERR replies reported. */
export interface FailureSpec {
  verb: string;
  /** Code when the reply carries no response code that says more. */
  failure: Pop3ErrorCode;
  /** Replaces "<VERB> failed" at the start of the message. */
  failureMessage?: string;
}

/** Builds the error for an -ERR reply: the response code decides when it says something. */
export function errorFromReply(spec: FailureSpec, reply: { text: string; code?: RespCode }): Pop3Error {
  const code = (reply.code && RESP_CODE_ERRORS[reply.code]) || spec.failure;
  const prefix = spec.failureMessage ?? `${spec.verb} failed`;
  const shown = reply.code ? `[${reply.code}] ${reply.text}` : reply.text;
  return new Pop3Error(code, shown ? `${prefix}: ${shown}` : prefix, {
    command: spec.verb,
    serverText: reply.text,
    ...(reply.code ? { respCode: reply.code } : {}),
  });
}

/** Narrows an unknown thrown value. */
export function isPop3Error(err: unknown): err is Pop3Error {
  return err instanceof Pop3Error;
}
