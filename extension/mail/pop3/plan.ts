/**
 * The decisions of a POP3 sync that need no I/O: what the maildrop holds (from UIDL and LIST),
 * which messages are new and how to fetch each, and which of the stored ones to announce. Pure,
 * so each rule is tested on its own (plan.test.ts).
 */
import { printable } from './bytes.ts';
import { Pop3Error } from './errors.ts';
import type { ListEntry, UidlEntry } from './listing.ts';

/** One message of the maildrop in this session. */
export interface MaildropEntry {
  /** Unique-id, stable across sessions (RFC 1939 §7): the key of everything we store. */
  uid: string;
  /** Message number in this session only. */
  n: number;
  /** Size from LIST in octets, or null when LIST did not mention the message. */
  size: number | null;
}

/**
 * RFC 1939 §7: a unique-id is 1 to 70 characters in 0x21–0x7E. The store keys on it and refuses
 * anything else, so a listing that breaks the rule is refused here, before anything is fetched.
 */
const UNIQUE_ID = /^[\x21-\x7e]{1,70}$/;

/**
 * The maildrop by unique-id, in the server's order. A unique-id that breaks RFC 1939 §7 or is
 * given to two messages is a `protocol` error: with it, a DELE meant for one message could hit
 * another, or a message could be taken for one already stored and never shown.
 */
export function indexMaildrop(
  uidl: readonly UidlEntry[],
  list: readonly ListEntry[],
): Map<string, MaildropEntry> {
  const sizes = new Map(list.map((entry) => [entry.n, entry.size]));
  const byUid = new Map<string, MaildropEntry>();
  const numbers = new Set<number>();
  for (const { n, uid } of [...uidl].sort((a, b) => a.n - b.n)) {
    if (!UNIQUE_ID.test(uid)) {
      throw new Pop3Error(
        'protocol',
        `message ${n} has a unique-id that is not 1–70 printable characters (RFC 1939 §7): "${printable(uid)}"`,
        { command: 'UIDL' },
      );
    }
    if (byUid.has(uid) || numbers.has(n)) {
      throw new Pop3Error('protocol', `the UIDL listing names "${printable(uid)}" or message ${n} twice`, {
        command: 'UIDL',
      });
    }
    numbers.add(n);
    byUid.set(uid, { uid, n, size: sizes.get(n) ?? null });
  }
  return byUid;
}

/** How the new messages of a session are fetched. */
export interface DownloadPlan {
  /** Fetched whole with RETR (pipelined), in the server's order. */
  full: MaildropEntry[];
  /** Fetched as headers with TOP n 0; the body waits until the message is opened. */
  headersOnly: MaildropEntry[];
}

/** Limits that decide between RETR and TOP. */
export interface PlanLimits {
  /** The account's "headers only above" size (Pop3Settings.headersOnlyAboveBytes). */
  headersOnlyAboveBytes: number;
  /** The largest message downloaded whole at all. */
  maxMessageBytes: number;
}

/**
 * New mail is every unique-id the store has never seen, never "the count went up": other
 * clients delete messages too, so the count can stay the same while new mail arrives. A
 * message larger than the account's threshold, or than the download cap, is fetched headers
 * first. A message LIST gave no size for is fetched whole, within the cap.
 */
export function planDownloads(
  maildrop: ReadonlyMap<string, MaildropEntry>,
  known: ReadonlySet<string>,
  limits: PlanLimits,
): DownloadPlan {
  const threshold = Math.min(limits.headersOnlyAboveBytes, limits.maxMessageBytes);
  const plan: DownloadPlan = { full: [], headersOnly: [] };
  for (const entry of maildrop.values()) {
    if (known.has(entry.uid)) continue;
    if (entry.size !== null && entry.size > threshold) plan.headersOnly.push(entry);
    else plan.full.push(entry);
  }
  return plan;
}

/**
 * Most bytes of mail asked for in one pipelined run of RETR. The session sends up to 16 RETRs
 * ahead and holds each reply whole until it is stored, so without this bound 16 messages of
 * the largest size allowed (40 MiB) could sit in the service worker's memory at once. Batches
 * of small messages stay at the full pipeline depth; a big one goes alone.
 */
export const RETR_BATCH_BYTES = 16 * 1024 * 1024;

/**
 * Splits `entries` (in order) into runs whose sizes add up to at most `budget`; a message
 * larger than the budget is a run of its own. A message of unknown size counts as `unknownSize`.
 */
export function batchBySize(
  entries: readonly MaildropEntry[],
  budget: number,
  unknownSize: number,
): MaildropEntry[][] {
  const batches: MaildropEntry[][] = [];
  let current: MaildropEntry[] = [];
  let bytes = 0;
  for (const entry of entries) {
    const size = entry.size ?? unknownSize;
    if (current.length > 0 && bytes + size > budget) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(entry);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/**
 * The first sync of an account announces its mail only when there is little of it. A POP3
 * account added with a full maildrop would otherwise raise hundreds of notifications for old
 * mail; a maildrop of a few messages (another client drains it, or the account is new) is most
 * likely mail the user has not seen yet. IMAP's first sync announces nothing, since IMAP keeps
 * read state on the server and everything old is already known there.
 */
export const FIRST_SYNC_ANNOUNCE_MAX = 20;

/** What the announcement rule needs to know about the sync. */
export interface AnnounceContext {
  /** No sync of the account has finished its downloads yet. */
  initial: boolean;
  /** Unique-ids stored before this sync (a first sync that was interrupted leaves some). */
  knownBefore: number;
}

/**
 * The stored messages to notify about: the unread ones, except on a first sync that brings in
 * more than FIRST_SYNC_ANNOUNCE_MAX messages (counting those an interrupted earlier attempt
 * stored), which announces none.
 */
export function toAnnounce<T extends { unread?: 0 | 1 }>(
  stored: readonly T[],
  context: AnnounceContext,
): T[] {
  if (context.initial && context.knownBefore + stored.length > FIRST_SYNC_ANNOUNCE_MAX) return [];
  return stored.filter((row) => row.unread === 1);
}
