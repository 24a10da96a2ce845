/**
 * RETR (RFC 1939 §5): the whole message, dot-unstuffed, CRLF line ends kept. More than
 * `maxBytes` of it is a too_large error from the parser.
 */
import { bodyOf, type Command, commandLine, messageNumber } from './command.ts';

/** `expectedBytes`: the message's LIST size when known, to size the parser's buffer. */
export function retr(n: number, maxBytes: number, expectedBytes?: number): Command<Uint8Array> {
  return {
    verb: 'RETR',
    bytes: commandLine('RETR', messageNumber(n)),
    expect:
      expectedBytes === undefined
        ? { kind: 'message', maxBytes }
        : { kind: 'message', maxBytes, expectedBytes },
    timeout: 'transfer',
    exclusive: false,
    failure: 'rejected',
    parse: (reply) => bodyOf(reply, 'message').bytes,
  };
}
