/** The server greeting (RFC 1939 §4), read before any command is sent. Pure. */

import type { Command } from './commands/command.ts';
import type { Reply } from './reply-parser.ts';

/** What the greeting tells us. */
export interface Greeting {
  /** The +OK text, e.g. `POP3 server ready <1896.697170952@dbc.mtview.ca.us>`. */
  text: string;
  /** The APOP timestamp `<…@…>` (RFC 1939 §7), angle brackets included; null without one. */
  apopTimestamp: string | null;
}

// RFC 1939 §7: the timestamp has the syntax of an RFC 822 msg-id, <local@domain>.
const TIMESTAMP = /<[^<>\s@]+@[^<>\s@]+>/;

/** Reads a +OK greeting. */
export function parseGreeting(reply: Reply): Greeting {
  return { text: reply.text, apopTimestamp: TIMESTAMP.exec(reply.text)?.[0] ?? null };
}

/**
 * The greeting as a command with nothing to send, so the session waits for it like for any
 * reply. An -ERR greeting (e.g. "-ERR [SYS/TEMP] too many connections") is `rejected`
 * unless its response code says more.
 */
export function greeting(): Command<Greeting> {
  return {
    verb: 'greeting',
    bytes: new Uint8Array(0),
    expect: { kind: 'status' },
    timeout: 'greeting',
    exclusive: true,
    failure: 'rejected',
    failureMessage: 'server refused the connection',
    parse: parseGreeting,
  };
}
