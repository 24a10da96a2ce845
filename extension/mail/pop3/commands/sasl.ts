/**
 * The shape of a POP3 AUTH exchange (RFC 5034 §4), whatever the mechanism: the initial
 * response rides on the AUTH line when it fits the 255-octet command limit; otherwise AUTH
 * goes alone, the server answers `+ `, and the response follows on a line of its own.
 * Payloads are as good as the password or token: never log them.
 */
import { encodeUtf8 } from '../bytes.ts';
import { type Command, commandLine, MAX_COMMAND_LINE_BYTES, nothing } from './command.ts';

/** Where a SASL exchange stands after a reply: done (+OK), or a challenge to answer. */
export type SaslStep = { done: true } | { done: false; challenge: string };

/** The command(s) of an AUTH exchange. */
export interface SaslExchange {
  /** `AUTH <mechanism> <response>`, or `AUTH <mechanism>` when the response does not fit on the line. */
  start: Command<SaslStep>;
  /** The response line to send after the server's `+ `, when `start` did not carry it. */
  response: Command<SaslStep> | null;
}

/** One line of an AUTH exchange, answered by +OK, -ERR or a continuation. */
export function saslCommand(verb: string, bytes: Uint8Array): Command<SaslStep> {
  return {
    verb,
    bytes,
    expect: { kind: 'auth' },
    timeout: 'auth',
    exclusive: true,
    failure: 'auth_failed',
    parse: (reply) => (reply.continuation ? { done: false, challenge: reply.text } : { done: true }),
  };
}

/** The AUTH exchange for `mechanism` with the base64 `response`. */
export function saslExchange(mechanism: string, response: string): SaslExchange {
  const verb = `AUTH ${mechanism}`;
  const initial = commandLine('AUTH', mechanism, response);
  if (initial.length <= MAX_COMMAND_LINE_BYTES) return { start: saslCommand(verb, initial), response: null };
  return {
    start: saslCommand(verb, commandLine('AUTH', mechanism)),
    response: saslCommand(verb, encodeUtf8(`${response}\r\n`)),
  };
}

/**
 * `*`: cancels a SASL exchange (RFC 5034 §4), when the server challenges where the mechanism
 * has nothing more to say. The server answers -ERR, which is the expected result here.
 */
export function saslCancel(): Command<void> {
  return {
    verb: 'AUTH cancel',
    bytes: encodeUtf8('*\r\n'),
    expect: { kind: 'status' },
    timeout: 'auth',
    exclusive: true,
    failure: 'auth_failed',
    parse: nothing,
    parseError: nothing,
  };
}
