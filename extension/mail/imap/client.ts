/**
 * Creates imapflow clients that reach the server through our relay transport. The one place
 * that knows imapflow's connection options, so sync, probe and actions all connect alike.
 */
import { getHashes } from 'node:crypto';
import { ImapFlow } from 'imapflow';
import type { Account } from '../../accounts.ts';
import { IDENTITY_HASH } from '../../node-shims/crypto.ts';
import type { Target, TransportFactory } from '../../relay/transport.ts';
import { imapflowTransportOptions } from './imapflow-transport.ts';

/**
 * A password, or an OAuth access token: imapflow then authenticates with AUTHENTICATE
 * OAUTHBEARER when the server offers it, else XOAUTH2 (its commands/authenticate.js).
 */
export type ImapCredentials = { user: string; pass: string } | { user: string; accessToken: string };

/**
 * How `account` logs in with its secret: the password, or for an OAuth account (Account.auth)
 * the current access token, which the engine puts where the password goes.
 */
export function credentialsOf(account: Account, secret: string): ImapCredentials {
  return account.auth
    ? { user: account.username, accessToken: secret }
    : { user: account.username, pass: secret };
}

/** Generous but finite: a dead server must not hold a sync forever. */
export const IMAP_CONNECTION_TIMEOUT_MS = 30_000;
/**
 * Every command's reply deadline, through imapflow's socket watchdog: a connection quiet this
 * long while a reply is owed is closed as dead, and one quiet with nothing owed (IDLE, a held
 * mailbox) is probed with a NOOP, whose reply is owed in turn. A half-open connection (a hung
 * server, a dropped NAT mapping) sends neither an error nor a close: with the 31 minutes this
 * was, IDLE waited on it that long, and every check routed onto it with it, while mail went
 * unnoticed (issue 15). Now a dead connection is noticed within DEAD_CONNECTION_NOTICED_MS, and
 * a server whose IDLE never announces anything (GNU Mailutils imap4d looks at the mailbox only
 * when a line arrives) gets a line at least this often. 20 s is far above a live server's
 * answer (milliseconds; Dovecot, Cyrus and Gmail send progress lines during long commands).
 */
export const IMAP_SOCKET_TIMEOUT_MS = 20_000;
/** Quiet for the deadline, then a NOOP unanswered for another: a dead connection is closed by then. */
export const DEAD_CONNECTION_NOTICED_MS = 2 * IMAP_SOCKET_TIMEOUT_MS;

/**
 * imapflow derives an `id` for every FETCHed message by hashing `path:uidValidity:uid` (MD5 by
 * default). Biff never reads it; in the extension the crypto shim offers a hash that returns its
 * input (node-shims/crypto.ts), so the id costs nothing. Node (tests, tools) keeps MD5.
 */
const ID_HASH = getHashes().includes(IDENTITY_HASH) ? IDENTITY_HASH : 'md5';

/** A new, not yet connected imapflow client for `target`. */
export function createImapClient(
  open: TransportFactory,
  target: Target,
  auth: ImapCredentials,
  extra: { qresync?: boolean } = {},
): ImapFlow {
  return new ImapFlow({
    ...imapflowTransportOptions(open, target),
    auth,
    logger: false,
    qresync: extra.qresync ?? true,
    connectionTimeout: IMAP_CONNECTION_TIMEOUT_MS,
    socketTimeout: IMAP_SOCKET_TIMEOUT_MS,
    // The relay verifies the certificate (or the user's pin); imapflow never sees raw TLS.
    tls: {},
    disableAutoIdle: true,
    idHashAlgorithm: ID_HASH,
  });
}
