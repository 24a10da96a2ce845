/**
 * The one typed contract between the extension's pages (popup, options) and the background
 * (STYLE.md convention 4): a map from message name to request and response types. Pages call
 * `send(name, request)` (extension/ui/send.ts); the background registers one handler per name
 * (background/router.ts) and checks the sender is the extension itself.
 *
 * Reads of cached mail do not go through here: pages open the same IndexedDB read-only
 * (extension/store), so the popup paints without waking the worker.
 */
import type { Account } from './accounts.ts';
import type { CertificateDetails, TlsInfo } from './relay/transport.ts';
import type { PrimaryPasswordState } from './store/settings.ts';

export type { PrimaryPasswordState };

/** How an account's last check went, for the badge, the popup and the options page. */
export type AccountErrorKind =
  | 'auth'
  | 'certificate'
  | 'relay'
  | 'unreachable'
  | 'timeout'
  | 'protocol'
  | 'storage';

export interface AccountStatus {
  accountId: string;
  state: 'idle' | 'syncing' | 'error';
  /** Present when state is 'error' (and kept while a retry is syncing). */
  error?: { kind: AccountErrorKind; message: string; code: string; certificate?: CertificateDetails };
  /** ms since epoch of the last successful check. */
  lastSuccess: number | null;
  /** When the next retry or scheduled check is due, ms since epoch. */
  nextCheck: number | null;
  /** Whether push (IMAP IDLE) is live for this account right now. */
  push: boolean;
  unread: number;
}

/** Global settings, edited on the options page. */
export interface GlobalSettings {
  relay: { url: string; token: string; startCommand?: string };
  quietHours: { enabled: boolean; start: string; end: string };
  openMarksRead: boolean;
  badgeMode: 'unread' | 'new';
}

/** One stage of "Test connection", in order. */
export type ProbeStage = 'relay' | 'server' | 'tls' | 'login' | 'inbox';

export interface ProbeReport {
  ok: boolean;
  stages: Array<{ stage: ProbeStage; ok: boolean | null; detail: string }>;
  /** The first failing stage, with a plain-language reason. */
  failed?: { stage: ProbeStage; code: string; message: string };
  /** Present when the certificate is not trusted: what to show before "Trust this certificate". */
  certificate?: CertificateDetails;
  tls?: TlsInfo;
  /** IMAP: the server's folders, for choosing watched folders. */
  folders?: Array<{ path: string; specialUse: string | null }>;
  inboxCount?: number;
}

/** What a page may send to the background, and what comes back. */
export interface Contract {
  /** Accounts with their live status, and the total unread count. */
  getStatus: {
    request: Record<string, never>;
    response: { accounts: AccountStatus[]; totalUnread: number; relay: RelayStatus; locked: boolean };
  };
  /** Start a check now (one account, or all). Resolves when the check finished. */
  syncNow: { request: { accountId?: string }; response: { ok: boolean } };
  /** Mark messages read or unread (queued, applied on the server for IMAP). */
  setSeen: { request: { ids: string[]; seen: boolean }; response: { ok: true } };
  /** Flag or unflag (IMAP \Flagged; local for POP3). */
  setFlagged: { request: { ids: string[]; flagged: boolean }; response: { ok: true } };
  /** Delete messages; `undo` stays valid for a few seconds. */
  deleteMessages: { request: { ids: string[] }; response: { undo: string } };
  undoDelete: { request: { undo: string }; response: { ok: boolean } };
  /** Fetch (or return cached) the full message; pages then read the body from IndexedDB. */
  loadBody: { request: { id: string }; response: { ok: true } };
  /**
   * Extend an IMAP folder's cache below its oldest cached message by up to `count` messages
   * (POP3 keeps everything locally: nothing to add). `exhausted`: nothing older is left.
   */
  loadOlder: {
    request: { accountId: string; folder: string; count: number };
    response: { added: number; exhausted: boolean };
  };
  /** The popup was opened: resets "new since last look". */
  popupOpened: { request: Record<string, never>; response: { ok: true } };
  getSettings: {
    request: Record<string, never>;
    response: { settings: GlobalSettings; accounts: Account[]; primaryPassword: PrimaryPasswordState };
  };
  saveSettings: { request: { settings: GlobalSettings }; response: { ok: true } };
  /** Create or update an account; the password is only sent when it changed. */
  saveAccount: { request: { account: Account; password?: string }; response: { ok: true } };
  removeAccount: { request: { accountId: string }; response: { ok: true } };
  reorderAccounts: { request: { ids: string[] }; response: { ok: true } };
  /** Staged connection test of unsaved settings. */
  testConnection: { request: { account: Account; password?: string }; response: ProbeReport };
  /** Guess server settings from an address: provider table, then probes through the relay. */
  guessSettings: {
    request: { email: string };
    response: {
      candidates: Array<
        Pick<Account, 'protocol' | 'host' | 'port' | 'security'> & { source: 'table' | 'probe' }
      >;
    };
  };
  /**
   * Enter the primary password for this browser session: checks and push start again. A wrong
   * one is an error with code `wrong_password`.
   */
  unlock: { request: { password: string }; response: { ok: true } };
  /** Set the primary password (`current` absent) or change it (`current` checked): re-encrypts every secret. */
  setPrimaryPassword: { request: { password: string; current?: string }; response: { ok: true } };
  /** Remove the primary password (`current` checked): the secrets are stored unencrypted again. */
  removePrimaryPassword: { request: { current: string }; response: { ok: true } };
  /** "Forgot primary password": drop the encrypted secrets (passwords, pairing token); accounts and mail stay. */
  forgetPrimaryPassword: { request: Record<string, never>; response: { ok: true } };
  /** Whether the relay answers with these settings. */
  relayStatus: { request: { url?: string; token?: string }; response: RelayStatus };
}

export interface RelayStatus {
  ok: boolean;
  /** e.g. `relay_unreachable`, `relay_refused`. */
  code?: string;
  message: string;
  /** When connected: the relay's software version (`0.2.0`). */
  version?: string;
}

export type MessageName = keyof Contract;
export type Request<K extends MessageName> = Contract[K]['request'];
export type Response<K extends MessageName> = Contract[K]['response'];

/** The envelope a page sends over runtime messaging. */
export interface Envelope<K extends MessageName = MessageName> {
  biff: 1;
  name: K;
  request: Request<K>;
}

/** What comes back: a response, or an error with a code the UI turns into text. */
export type Reply<K extends MessageName> =
  | { ok: true; response: Response<K> }
  | { ok: false; code: string; message: string };

/** Events the background broadcasts to open pages. */
export type BackgroundEvent =
  | { biffEvent: 'status'; accounts: AccountStatus[]; totalUnread: number; locked: boolean }
  | { biffEvent: 'messages-changed'; accountIds: string[] }
  | { biffEvent: 'sync-progress'; accountId: string; done: number; total: number };
