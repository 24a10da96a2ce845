/**
 * AUTH PLAIN (RFC 5034, SASL PLAIN RFC 4616): authzid NUL authcid NUL password, base64. Sent
 * as an initial response on the AUTH line when it fits the 255-octet command limit; otherwise
 * RFC 5034 §4 says to send `AUTH PLAIN` alone, wait for the `+ ` continuation, and send the
 * response on a line of its own. The payload is as good as the password: never log it.
 */
import { bytesToBase64, encodeUtf8 } from '../bytes.ts';
import { type Command, commandLine, MAX_COMMAND_LINE_BYTES, nothing } from './command.ts';

/** Where a SASL exchange stands after a reply: done (+OK), or a challenge to answer. */
export type SaslStep = { done: true } | { done: false; challenge: string };

/** The command(s) of an AUTH PLAIN exchange. */
export interface AuthPlainExchange {
  /** `AUTH PLAIN <response>`, or `AUTH PLAIN` when the response does not fit on the line. */
  start: Command<SaslStep>;
  /** The response line to send after the server's `+ `, when `start` did not carry it. */
  response: Command<SaslStep> | null;
}

function saslCommand(bytes: Uint8Array): Command<SaslStep> {
  return {
    verb: 'AUTH PLAIN',
    bytes,
    expect: { kind: 'auth' },
    timeout: 'auth',
    exclusive: true,
    failure: 'auth_failed',
    parse: (reply) => (reply.continuation ? { done: false, challenge: reply.text } : { done: true }),
  };
}

/** The SASL PLAIN message for `name` and `password`, base64-encoded, with an empty authzid. */
export function plainResponse(name: string, password: string): string {
  if (name.includes('\0') || password.includes('\0')) {
    throw new TypeError('AUTH PLAIN user name and password must not contain NUL');
  }
  return bytesToBase64(encodeUtf8(`\0${name}\0${password}`));
}

export function authPlain(name: string, password: string): AuthPlainExchange {
  const response = plainResponse(name, password);
  const initial = commandLine('AUTH', 'PLAIN', response);
  if (initial.length <= MAX_COMMAND_LINE_BYTES) return { start: saslCommand(initial), response: null };
  return {
    start: saslCommand(commandLine('AUTH', 'PLAIN')),
    response: saslCommand(encodeUtf8(`${response}\r\n`)),
  };
}

/**
 * `*`: cancels a SASL exchange (RFC 5034 §4), when the server challenges where PLAIN has
 * nothing more to say. The server answers -ERR, which is the expected result here.
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
