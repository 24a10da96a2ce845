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
