/**
 * The local mail cache: one typed schema for every IndexedDB store and index, and the one
 * function that opens it. The background keeps each account's mail here so the popup opens
 * instantly and works offline. It is read and written in this folder (the repositories, and
 * account-purge.ts and mbox.ts beside them), by the IMAP sync's own small queries
 * (mail/imap/store-helpers.ts), and read directly by the popup's early boot script
 * (popup/boot.ts), which fetches the first page before the app's code has loaded.
 *
 * Key conventions, relied on throughout the store:
 * - A message is keyed `[accountId, folder, uid]`. `uid` is the IMAP UID (a number) or, for
 *   POP3, the UIDL (a string, RFC 1939 §7). The type of `uid` therefore tells the protocol: a
 *   string uid is POP3 mail, which may exist nowhere else and is never evicted.
 * - POP3 accounts have one pseudo-folder, `INBOX` (`POP3_FOLDER`).
 * - Dates are milliseconds since the epoch (numbers), never strings.
 * - IndexedDB cannot index booleans and leaves a record out of an index when a key path is
 *   missing. Both are used on purpose: `unread` is 0|1, and `shownDate`/`evictAt` are absent on
 *   rows that must not appear in the list or eviction indexes.
 */
import type { DBSchema, IDBPDatabase, IDBPTransaction, StoreNames } from 'idb';
import { openDatabase } from './open-db.ts';

/** IMAP UID (number) or POP3 UIDL (string). */
export type MessageUid = number | string;
/** Primary key of `messages` and `bodies`. */
export type MessageKey = [accountId: string, folder: string, uid: MessageUid];

/** The single folder path a POP3 account's messages live under. */
export const POP3_FOLDER = 'INBOX';

/** A mailbox address as the popup shows it. */
export interface Address {
  name: string;
  address: string;
}

/** `none`: envelope summary only; `headers`: the header block is stored; `full`: the whole source is stored. */
export type BodyState = 'none' | 'headers' | 'full';

/** Whether a POP3 message is still in the server's maildrop. */
export type ServerState = 'on-server' | 'removed';

/** What the mail engine knows about a message: the fields it supplies to `putSummaries`. */
export interface MessageSummary {
  accountId: string;
  folder: string;
  uid: MessageUid;
  /** Internal date (IMAP) or Date header (POP3), ms since the epoch. */
  date: number;
  from: Address | null;
  to: Address[];
  cc: Address[];
  subject: string;
  /** A short plain-text excerpt; longer text is cut to PREVIEW_MAX_CHARS. */
  preview: string;
  /** RFC822.SIZE (IMAP) or LIST size (POP3), bytes. */
  size: number;
  seen: boolean;
  flagged: boolean;
  answered: boolean;
  hasAttachments: boolean;
  /** The Message-ID header, for threading and de-duplication across folders. */
  messageId: string | null;
}

/** A stored message summary: the engine's fields plus state the store owns. */
export interface MessageRow extends MessageSummary {
  /** `${accountId}\0${folder}\0${uid}`: one stable string for the UI and the list indexes' tie-break. */
  id: string;
  /** A delete is queued in `pending`; the row is hidden from lists and counts until it completes. */
  deletedLocally: boolean;
  bodyState: BodyState;
  /** POP3 only: when the message was downloaded. */
  downloadedAt?: number;
  /** POP3 only: whether the message is still on the server. */
  serverState?: ServerState;
  /**
   * 1 when the message counts as unread (not seen and not deleted locally), indexed with the
   * account; absent otherwise, so read mail (most of a mailbox) has no entry in that index: one
   * index entry less to write per message (BENCHMARKS.md, imap-initial). Rows written before
   * this may hold 0, which the index keeps and every query (`[account, 1]`) passes over.
   */
  unread?: 0 | 1;
  /** `date` while the row is visible; absent while `deletedLocally`, which keeps it out of the list indexes. */
  shownDate?: number;
}

/** IMAP folder state from SELECT/STATUS; a POP3 account has one row for `INBOX`. */
export interface FolderRow {
  accountId: string;
  path: string;
  uidValidity: number | null;
  uidNext: number | null;
  /**
   * HIGHESTMODSEQ as a decimal string: mod-sequences are unsigned 63-bit (RFC 7162 §7), past
   * Number.MAX_SAFE_INTEGER, and imapflow hands them over as BigInt.
   */
  highestModseq: string | null;
  /** STATUS MESSAGES. */
  messages: number;
  /** STATUS UNSEEN. */
  unseen: number;
  /** RFC 6154 attribute such as `\Trash`, or null. */
  specialUse: string | null;
  /** When the folder was last synchronised, ms; null before the first sync. */
  lastSync: number | null;
  /**
   * IMAP, only while the folder is rebuilt after its UIDVALIDITY changed: the identities
   * (mail/imap/identity.ts) of the messages cached before the change, each with its UID then,
   * so the rebuild announces exactly the unread mail that was not known, and can say which old
   * message id is which new one. Absent otherwise.
   */
  knownBefore?: Array<[identity: string, uid: number]>;
  /**
   * IMAP: the identities of the last messages the server expunged from this folder (newest
   * last, a bounded list): mail another client moved to another watched folder is still known
   * when that folder is synchronised later. Absent until a message goes.
   */
  goneRecently?: string[];
}

/** Metadata and bytes of one attachment or inline part. */
export interface AttachmentPart {
  filename: string | null;
  mimeType: string;
  /** Decoded size in bytes. */
  size: number;
  contentId: string | null;
  disposition: 'attachment' | 'inline' | null;
  /** Decoded bytes, or null when only the metadata is kept. */
  data: Uint8Array | null;
}

/** How a body's source is stored (body-source.ts). */
export type SourceEncoding = 'deflate-raw';

/**
 * A cached message body: the source only, parsed when the message is opened
 * (extension/mail/mime/readable-body.ts), and deflated when that makes it smaller. Storing the
 * parsed parts too (text, HTML, decoded attachments) wrote two to three times the message, and
 * storing is most of what a download costs (BENCHMARKS.md, pop3-download).
 */
export interface BodyRow {
  accountId: string;
  folder: string;
  uid: MessageUid;
  /**
   * The RFC 5322 source: the whole message when `complete`, else only the header block (POP3
   * TOP). Compressed when `rawEncoding` says so: read it with `unpackSource` (body-source.ts).
   */
  raw: Uint8Array | null;
  /** Absent: `raw` is the source itself. `deflate-raw`: `raw` is the source deflated (RFC 1951). */
  rawEncoding?: SourceEncoding;
  complete: boolean;
  /**
   * The parsed parts, only on rows written before bodies were stored as their source alone (no
   * schema version marks that change: nothing had shipped). When present they are what the
   * reader shows; new rows never have them.
   */
  text?: string | null;
  /** Parsed HTML part, unsanitised: sanitise when showing it. See `text`. */
  html?: string | null;
  /** See `text`. */
  attachments?: AttachmentPart[];
  /** Bytes this row costs against the body budget (see bodies-repo.ts `bodySize`). */
  size: number;
  fetchedAt: number;
  lastOpenedAt: number;
  /** `lastOpenedAt` for IMAP bodies; absent for POP3 bodies so the `lru` index, and so eviction, never sees them. */
  evictAt?: number;
}

/**
 * An offline IMAP action. POP3 deletions are not queued here: their one source of truth is
 * the `pop3` store's state (see pop3-repo.ts).
 */
export type PendingKind = 'seen' | 'unseen' | 'flag' | 'unflag' | 'delete';

/** A queued action as stored; `id` is the auto-increment key, so ids order the queue. */
export interface PendingRecord {
  id?: number;
  accountId: string;
  folder: string;
  uid: number;
  kind: PendingKind;
  createdAt: number;
  attempts: number;
  lastError: string | null;
}

/**
 * POP3 UIDL state:
 * - `stored`: downloaded and kept here, still on the server.
 * - `deleted-locally`: deleted here, left on the server; never downloaded again.
 * - `dele-pending`: chosen for DELE; stays so until a session's QUIT commits it (RFC 1939 §6).
 * - `removed-from-server`: the server no longer has it.
 */
export type Pop3State = 'stored' | 'deleted-locally' | 'dele-pending' | 'removed-from-server';

/** What the store remembers of one UIDL of a POP3 account. */
export interface Pop3Row {
  accountId: string;
  uidl: string;
  state: Pop3State;
  /** When the message was stored here; drives "remove from the server after N days". */
  storedAt: number;
  firstSeenAt: number;
}

/** The whole database. */
export interface BiffDB extends DBSchema {
  folders: {
    key: [accountId: string, path: string];
    value: FolderRow;
  };
  messages: {
    key: MessageKey;
    value: MessageRow;
    indexes: {
      /** Newest first across all accounts; `id` makes equal dates a stable order. */
      'by-date': [shownDate: number, id: string];
      'by-folder-date': [accountId: string, folder: string, shownDate: number, id: string];
      'unread-by-account': [accountId: string, unread: 0 | 1];
    };
  };
  bodies: {
    key: MessageKey;
    value: BodyRow;
    indexes: {
      /** Key-only cursor over it sums the cache without loading a single body. */
      'by-size': number;
      /** Least recently opened first; POP3 bodies are absent (no `evictAt`). */
      lru: [evictAt: number, size: number];
    };
  };
  pending: {
    key: number;
    value: PendingRecord;
    indexes: {
      /** Duplicates are ordered by primary key, so this is each account's queue in order. */
      'by-account': string;
      'by-message': [accountId: string, folder: string, uid: number];
    };
  };
  pop3: {
    key: [accountId: string, uidl: string];
    value: Pop3Row;
  };
}

/** An open connection to the cache. */
export type BiffDatabase = IDBPDatabase<BiffDB>;

/** Current schema version; every bump adds a `case` to `upgrade()`. */
export const DB_VERSION = 2;
/** Name of the database in the extension's origin. */
export const DEFAULT_DB_NAME = 'biff';
/**
 * How long to wait for other extension pages to close an older connection before giving up:
 * ours close on `versionchange`, so only a stuck page (or a third-party debugger) exceeds it.
 */
export const BLOCKED_TIMEOUT_MS = 10_000;

/** Options of `openBiffDb`. */
export interface OpenOptions {
  /** Give up with `blocked` after this long; default BLOCKED_TIMEOUT_MS. */
  blockedTimeoutMs?: number;
}

/**
 * Creates or migrates the schema, one step per version, each step guarded by the version on
 * disk so a database at any old version is brought to DB_VERSION in order. (A `switch` with
 * fall-through cases says the same, but `noFallthroughCasesInSwitch` forbids it.)
 *
 * @param db The database being upgraded.
 * @param oldVersion The version on disk, 0 for a new database.
 * @param tx The versionchange transaction, for steps that change existing stores.
 */
function upgrade(
  db: BiffDatabase,
  oldVersion: number,
  tx: IDBPTransaction<BiffDB, StoreNames<BiffDB>[], 'versionchange'>,
): void {
  if (oldVersion < 1) {
    db.createObjectStore('folders', { keyPath: ['accountId', 'path'] });

    const messages = db.createObjectStore('messages', { keyPath: ['accountId', 'folder', 'uid'] });
    messages.createIndex('by-date', ['shownDate', 'id']);
    // Version 1 also had 'by-account-date' here; version 2 removes it (below).
    messages.createIndex('by-folder-date', ['accountId', 'folder', 'shownDate', 'id']);
    messages.createIndex('unread-by-account', ['accountId', 'unread']);

    const bodies = db.createObjectStore('bodies', { keyPath: ['accountId', 'folder', 'uid'] });
    bodies.createIndex('by-size', 'size');
    bodies.createIndex('lru', ['evictAt', 'size']);

    const pending = db.createObjectStore('pending', { keyPath: 'id', autoIncrement: true });
    pending.createIndex('by-account', 'accountId');
    pending.createIndex('by-message', ['accountId', 'folder', 'uid']);

    db.createObjectStore('pop3', { keyPath: ['accountId', 'uidl'] });
  }
  if (oldVersion < 2) {
    // An account's list is read folder by folder from 'by-folder-date' and merged
    // (messages-repo.ts): its own index cost an entry to write for every message stored or
    // changed (BENCHMARKS.md, imap-initial). Dropping an index loses no data.
    // Untyped: the schema type no longer names the index.
    const messages = tx.objectStore('messages') as unknown as IDBObjectStore;
    if (messages.indexNames.contains('by-account-date')) messages.deleteIndex('by-account-date');
  }
  // Version 3 goes here: `if (oldVersion < 3) { ... }`.
}

/**
 * Opens (creating or upgrading) the cache. The connection closes itself when another page
 * opens a newer version (see open-db.ts); the caller then opens a new one.
 *
 * @param name Database name; tests pass a unique one.
 * @param factory IDBFactory to open it with; the global `indexedDB` by default, fake-indexeddb in Node tests.
 * @param options See OpenOptions.
 */
export function openBiffDb(
  name: string = DEFAULT_DB_NAME,
  factory: IDBFactory | undefined = globalThis.indexedDB,
  options: OpenOptions = {},
): Promise<BiffDatabase> {
  return openDatabase<BiffDB>({
    factory,
    name,
    version: DB_VERSION,
    upgrade,
    blockedTimeoutMs: options.blockedTimeoutMs ?? BLOCKED_TIMEOUT_MS,
  });
}
