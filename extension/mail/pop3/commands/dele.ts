/** DELE (RFC 1939 §5): marks a message deleted; it is removed only if QUIT then succeeds. */
import { type Command, commandLine, messageNumber, nothing, SIMPLE } from './command.ts';

export function dele(n: number): Command<void> {
  return { ...SIMPLE, verb: 'DELE', bytes: commandLine('DELE', messageNumber(n)), parse: nothing };
}
