/**
 * The shape every POP3 command module returns (after imapflow's lib/commands/*): the bytes
 * to send, the kind of reply to expect, and how to read that reply. Pure: the session does
 * the sending, waiting and timing.
 */
import { encodeUtf8 } from '../bytes.ts';
import { errorFromReply, Pop3Error, type Pop3ErrorCode } from '../errors.ts';
import type { Expectation, Reply, ReplyBody } from '../reply-parser.ts';

/**
 * Longest command line, CRLF included (RFC 2449 §4). Only AUTH's initial response comes
 * near it, and RFC 5034 §4 says what to do then: send it after a continuation instead.
 */
export const MAX_COMMAND_LINE_BYTES = 255;

/** Which reply timeout applies (the durations are the session's: see session.ts). */
export type TimeoutKind = 'greeting' | 'command' | 'auth' | 'transfer' | 'quit';

/** One command: what to send and how to read the reply. */
export interface Command<T> {
  /** The verb, for error messages; never followed by the arguments (which may be secret). */
  readonly verb: string;
  /** The command line, CRLF included; empty for the greeting, which is read, not sent. */
  readonly bytes: Uint8Array;
  /** The kind of reply, for the parser. */
  readonly expect: Expectation;
  /** Which reply timeout applies. */
  readonly timeout: TimeoutKind;
  /**
   * Must be alone on the wire, never pipelined: its reply changes how what follows is
   * read (STLS, CAPA) or authentication is under way (USER, PASS, APOP, AUTH).
   */
  readonly exclusive: boolean;
  /** Error code for -ERR when the reply has no response code that says more. */
  readonly failure: Pop3ErrorCode;
  /** Replaces "<VERB> failed" at the start of the -ERR error message. */
  readonly failureMessage?: string;
  /** Reads a +OK reply (or a SASL continuation, for `auth` replies). */
  parse(reply: Reply): T;
  /** When present, reads -ERR replies too, which then are results rather than errors. */
  parseError?(reply: Reply): T;
}

/** The result of a command's reply, or the Pop3Error it stands for. */
export function interpret<T>(command: Command<T>, reply: Reply): T {
  if (reply.ok) return command.parse(reply);
  if (command.parseError) return command.parseError(reply);
  throw errorFromReply(command, reply);
}

/** Defaults of a single-line command that may be pipelined. */
export const SIMPLE = {
  expect: { kind: 'status' },
  timeout: 'command',
  exclusive: false,
  failure: 'rejected',
} as const satisfies Partial<Command<unknown>>;

/**
 * Builds a command line. Arguments must not contain CR, LF or NUL: one would end the command
 * early and let what follows run as another (command injection through a user name). The
 * error names the verb only, never the argument.
 */
export function commandLine(verb: string, ...args: readonly string[]): Uint8Array {
  for (const arg of args) {
    if (arg.length === 0 || /[\r\n\0]/.test(arg)) {
      throw new TypeError(`${verb} argument is empty or contains CR, LF or NUL`);
    }
  }
  return encodeUtf8(`${[verb, ...args].join(' ')}\r\n`);
}

/** A message number argument: a positive safe integer (RFC 1939 §3). */
export function messageNumber(n: number): string {
  if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`message number must be a positive integer`);
  return String(n);
}

/** The body of a +OK reply to a multi-line command, checked to be of the expected kind. */
export function bodyOf<K extends ReplyBody['kind']>(reply: Reply, kind: K): Extract<ReplyBody, { kind: K }> {
  const body = reply.body;
  if (body?.kind !== kind) throw new Pop3Error('protocol', `expected a ${kind} reply body`);
  return body as Extract<ReplyBody, { kind: K }>;
}

/** Reads nothing from a +OK: for commands whose success is all there is. */
export function nothing(): void {}
