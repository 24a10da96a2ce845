/** NOOP (RFC 1939 §5): does nothing; keeps a connection alive, or checks it still is. */
import { type Command, commandLine, nothing, SIMPLE } from './command.ts';

export function noop(): Command<void> {
  return { ...SIMPLE, verb: 'NOOP', bytes: commandLine('NOOP'), parse: nothing };
}
