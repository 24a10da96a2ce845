/**
 * QUIT (RFC 1939 §6): ends the session. In the TRANSACTION state the server then enters
 * UPDATE and removes the messages marked deleted: its +OK is the only proof that it did.
 * "-ERR some deleted messages not removed" is a failure (`rejected`).
 */
import { type Command, commandLine, nothing } from './command.ts';

export function quit(): Command<void> {
  return {
    verb: 'QUIT',
    bytes: commandLine('QUIT'),
    expect: { kind: 'status' },
    // Removing messages can mean rewriting a large mbox file.
    timeout: 'quit',
    exclusive: false,
    failure: 'rejected',
    parse: nothing,
  };
}
