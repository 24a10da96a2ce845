/**
 * LIST (RFC 1939 §5): message sizes, which let the session refuse a RETR over the size cap
 * before sending it. With a message number the answer is a single line, `+OK 2 200`.
 */
import { type ListEntry, parseListLine } from '../listing.ts';
import { bodyOf, type Command, commandLine, messageNumber } from './command.ts';

export function list(n?: number): Command<ListEntry[]> {
  if (n !== undefined) {
    return {
      verb: 'LIST',
      bytes: commandLine('LIST', messageNumber(n)),
      expect: { kind: 'status' },
      timeout: 'command',
      exclusive: false,
      failure: 'rejected',
      parse: (reply) => [parseListLine(reply.text)],
    };
  }
  return {
    verb: 'LIST',
    bytes: commandLine('LIST'),
    expect: { kind: 'list' },
    timeout: 'transfer',
    exclusive: false,
    failure: 'rejected',
    parse: (reply) => bodyOf(reply, 'list').entries,
  };
}
