/**
 * PASS (RFC 1939 §7): the password, in clear on the wire; the session sends it only over TLS
 * unless told otherwise. Spaces are allowed: the server takes the rest of the line.
 */
import { type Command, commandLine, nothing } from './command.ts';

export function pass(password: string): Command<void> {
  return {
    verb: 'PASS',
    bytes: commandLine('PASS', password),
    expect: { kind: 'status' },
    // Servers delay failed logins on purpose, and look passwords up in slow backends.
    timeout: 'auth',
    exclusive: true,
    failure: 'auth_failed',
    parse: nothing,
  };
}
