/**
 * Account settings: what the options page edits and the engine reads. Stored in
 * `browser.storage.local` under `accounts`; passwords live apart under `secrets` (see
 * store/settings.ts) so settings can be logged, exported or shown without them.
 */
import type { TlsMode } from '../relay/protocol.ts';

export type Protocol = 'imap' | 'pop3';

/** IMAP-only settings. */
export interface ImapSettings {
  /** Watched folders by full path; INBOX by default. */
  folders: string[];
  /** How many of the newest messages per folder get summaries at first sync (older on demand). */
  syncWindow: number;
  /** Delete moves to the account's Trash (SPECIAL-USE \Trash) when true and one exists; else \Deleted + UID EXPUNGE. */
  deleteToTrash: boolean;
  /** Lets tests and odd servers turn QRESYNC/CONDSTORE off to exercise the fallback. */
  useQresync: boolean;
}

/** POP3-only settings. */
export interface Pop3Settings {
  /** "Leave a copy on the server" (default on). */
  leaveCopy: boolean;
  /** With leaveCopy: "Remove from the server after N days"; null = never. */
  deleteAfterDays: number | null;
  /** "Remove from the server when I delete it here": DELE at the next session. */
  deleteWhenDeletedHere: boolean;
  /** Messages larger than this are fetched headers-first with TOP; the rest on opening. */
  headersOnlyAboveBytes: number;
}

/**
 * How an account signs in when it is not with a password: OAuth 2.0 at `issuer` as the public
 * client `clientId`. The endpoints are those found at sign-in (built in for Google and
 * Microsoft, discovered for other issuers), kept so a refresh needs no discovery request.
 */
export interface OAuthSignIn {
  method: 'oauth2';
  issuer: string;
  clientId: string;
  tokenEndpoint: string;
  /** RFC 7009 revocation, used when the account is removed; null when the server has none. */
  revocationEndpoint: string | null;
}

/**
 * An account's OAuth tokens, kept in the secrets area like a password. Times are ms since the
 * epoch. The access token is kept too, so a restarted worker need not refresh at once.
 */
export interface OAuthTokens {
  accessToken: string;
  /** When the access token was received (the start of its lifetime, by our clock). */
  issuedAt: number;
  /** When the server says the access token stops working. */
  expiresAt: number;
  /** Null when the server gave none: then the user signs in again when the access token expires. */
  refreshToken: string | null;
  /** The scope granted, when the server said. */
  scope: string | null;
}

export interface Account {
  id: string;
  /** Display name, e.g. "Work". */
  name: string;
  /** CSS colour for the account's marker in the popup. */
  color: string;
  email: string;
  protocol: Protocol;
  host: string;
  port: number;
  security: TlsMode;
  username: string;
  /** SHA-256 fingerprint of a certificate the user trusted (trust on first use). */
  pin?: string;
  /** OAuth 2.0 sign-in; absent: the account signs in with a password. */
  auth?: OAuthSignIn;
  enabled: boolean;
  /** Minutes between checks by alarm. */
  checkIntervalMinutes: number;
  notify: boolean;
  imap: ImapSettings;
  pop3: Pop3Settings;
}

/** Defaults; the reasons are in the comments of the fields above. */
export const DEFAULT_IMAP: ImapSettings = {
  folders: ['INBOX'],
  syncWindow: 1000,
  deleteToTrash: true,
  useQresync: true,
};

export const DEFAULT_POP3: Pop3Settings = {
  leaveCopy: true,
  deleteAfterDays: null,
  deleteWhenDeletedHere: false,
  headersOnlyAboveBytes: 2 * 1024 * 1024,
};

export const DEFAULT_CHECK_INTERVAL_MINUTES = 5;
