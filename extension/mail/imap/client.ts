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
/** imapflow's socket watchdog; IDLE traffic (re-issued every < 29 min) and NOOPs keep it fed. */
export const IMAP_SOCKET_TIMEOUT_MS = 31 * 60_000;

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
