/** RSET (RFC 1939 §5): unmarks every message marked deleted in this session. */
import { type Command, commandLine, nothing, SIMPLE } from './command.ts';

export function rset(): Command<void> {
  return { ...SIMPLE, verb: 'RSET', bytes: commandLine('RSET'), parse: nothing };
}
