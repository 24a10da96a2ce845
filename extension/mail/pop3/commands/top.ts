/**
 * TOP (RFC 1939 §7): the header, the blank line and the first `lines` lines of the body.
 * Optional in RFC 1939 (CAPA says TOP); used to show large messages before fetching them.
 */
import { bodyOf, type Command, commandLine, messageNumber } from './command.ts';

export function top(n: number, lines: number, maxBytes: number): Command<Uint8Array> {
  if (!Number.isSafeInteger(lines) || lines < 0)
    throw new RangeError('TOP line count must be a non-negative integer');
  return {
    verb: 'TOP',
    bytes: commandLine('TOP', messageNumber(n), String(lines)),
    expect: { kind: 'message', maxBytes },
    timeout: 'transfer',
    exclusive: false,
    failure: 'rejected',
    parse: (reply) => bodyOf(reply, 'message').bytes,
  };
}
