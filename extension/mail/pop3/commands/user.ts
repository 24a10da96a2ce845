/** USER (RFC 1939 §7): the first half of a USER/PASS login. Some servers refuse unknown names here. */
import { type Command, commandLine, nothing } from './command.ts';

export function user(name: string): Command<void> {
  return {
    verb: 'USER',
    bytes: commandLine('USER', name),
    expect: { kind: 'status' },
    timeout: 'auth',
    exclusive: true,
    failure: 'auth_failed',
    parse: nothing,
  };
}
