/**
 * What the engine hands a protocol's sync, and what it gets back. IMAP (mail/imap/sync.ts)
 * and POP3 (mail/pop3/sync.ts) implement the same shape, so the scheduler treats them alike.
 * It lives beside the drivers (mail/driver.ts), below the engine: mail/ needs nothing above it.
 */
import type { Account } from '../accounts.ts';
import type { TransportFactory } from '../relay/transport.ts';
import type { BiffDatabase, MessageKey, MessageRow } from '../store/schema.ts';

/** Everything one sync of one account needs; nothing here touches `browser.*`. */
export interface SyncContext {
  db: BiffDatabase;
  account: Account;
  /**
   * The account's secret for logging in, read just before the sync: its password, or for an
   * OAuth account (Account.auth) a current access token. Errors are scrubbed of it either way.
   */
  password: string;
  /** Opens connections through the relay (or, in tests, any Transport). */
  open: TransportFactory;
  /** Clock, injectable for "remove after N days" tests. */
  now: () => number;
  /** Progress for the popup's "Sync now" indicator. */
  onProgress?: (done: number, total: number) => void;
  /** Aborts the sync at the next safe point (never between a commit and its bookkeeping). */
  signal?: AbortSignal;
  /**
   * True for a queued delete the user can still undo (engine/actions.ts): the replay leaves it
   * queued and unsent. Absent: every queued action is sent.
   */
  held?: (key: MessageKey) => boolean;
}

/** What a finished sync reports to the scheduler (for notifications and the badge). */
export interface SyncResult {
  /** Messages that arrived since the last sync and are unread: what notifications announce. */
  newMessages: MessageRow[];
  /** Unread count of the account after the sync, across watched folders (STATUS for IMAP). */
  unread: number;
  /**
   * IMAP folders whose rebuild after a UIDVALIDITY change finished in this sync: every message
   * id (`MessageRow.id`) of theirs from before names another message now, or none. `renumbered`
   * pairs the old id of each unread message found again with its new one.
   */
  rebuilt?: Array<{ folder: string; renumbered: Array<[from: string, to: string]> }>;
}
