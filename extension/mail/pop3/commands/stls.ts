/**
 * STLS (RFC 2595 §4): asks to switch to TLS. After +OK the session upgrades the transport
 * before anything else is sent or read, then must discard what it knew and re-issue CAPA.
 */
import { type Command, commandLine, nothing } from './command.ts';

export function stls(): Command<void> {
  return {
    verb: 'STLS',
    bytes: commandLine('STLS'),
    expect: { kind: 'status' },
    timeout: 'command',
    exclusive: true,
    failure: 'stls_failed',
    parse: nothing,
  };
}
