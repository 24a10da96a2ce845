/**
 * APOP (RFC 1939 §7): proves the password without sending it, as the MD5 of the greeting's
 * timestamp followed by the password. MD5 is weak against an eavesdropper with a dictionary,
 * but nothing reusable crosses the wire.
 */
import { md5Hex } from '../md5.ts';
import { type Command, commandLine, nothing } from './command.ts';

/** The APOP digest: lower-case hex MD5 of timestamp + password (UTF-8). */
export function apopDigest(timestamp: string, password: string): string {
  return md5Hex(timestamp + password);
}

export function apop(name: string, password: string, timestamp: string): Command<void> {
  return {
    verb: 'APOP',
    bytes: commandLine('APOP', name, apopDigest(timestamp, password)),
    expect: { kind: 'status' },
    timeout: 'auth',
    exclusive: true,
    failure: 'auth_failed',
    parse: nothing,
  };
}
