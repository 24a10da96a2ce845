/**
 * UIDL (RFC 1939 §7): unique-ids that stay the same across sessions, which is what the sync
 * keys on. Optional in RFC 1939: a server without it answers -ERR, reported as `unsupported`.
 * With a message number the answer is a single line, `+OK 2 QhdPYR:00WBw1Ph7x7`.
 */
import { parseUidlLine, type UidlEntry } from '../listing.ts';
import { bodyOf, type Command, commandLine, messageNumber } from './command.ts';

/** The message "server unsupported: no UIDL" of Pop3Error('unsupported'). */
export const NO_UIDL = 'server unsupported: no UIDL';

export function uidl(n?: number): Command<UidlEntry[]> {
  if (n !== undefined) {
    return {
      verb: 'UIDL',
      bytes: commandLine('UIDL', messageNumber(n)),
      expect: { kind: 'status' },
      timeout: 'command',
      exclusive: false,
      failure: 'rejected',
      parse: (reply) => [parseUidlLine(reply.text)],
    };
  }
  return {
    verb: 'UIDL',
    bytes: commandLine('UIDL'),
    expect: { kind: 'uidl' },
    timeout: 'transfer',
    exclusive: false,
    failure: 'unsupported',
    failureMessage: NO_UIDL,
    parse: (reply) => bodyOf(reply, 'uidl').entries,
  };
}
