/** STAT (RFC 1939 §5): count and total size of the messages not marked deleted. */
import { type MaildropStat, parseStat } from '../listing.ts';
import { type Command, commandLine, SIMPLE } from './command.ts';

export function stat(): Command<MaildropStat> {
  return { ...SIMPLE, verb: 'STAT', bytes: commandLine('STAT'), parse: (reply) => parseStat(reply.text) };
}
