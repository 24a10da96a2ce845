/**
 * Building stored message rows: validation of what the engine supplies, and the derived index
 * fields (`id`, `unread`, `shownDate`) that must be recomputed on every change so the indexes
 * never disagree with the flags.
 */
import { StoreError } from './errors.ts';
import { checkKey, keyOf, messageId } from './keys.ts';
import type { MessageRow, MessageSummary } from './schema.ts';

/**
 * Longest preview kept. The list shows two lines at most, and rows are loaded a page at a time
 * by cursor: a long preview would make every page read slower for nothing.
 */
export const PREVIEW_MAX_CHARS = 200;

/** The fields of a row the store owns rather than the engine. */
export type LocalState = Pick<MessageRow, 'deletedLocally' | 'bodyState' | 'downloadedAt' | 'serverState'>;

/** The flags `setFlags` and the pending queue change. */
export type FlagPatch = Partial<Pick<MessageRow, 'seen' | 'flagged' | 'answered' | 'deletedLocally'>>;

/** Throws `invalid` when a summary would make a row the indexes cannot hold. */
export function checkSummary(summary: MessageSummary): void {
  checkKey(keyOf(summary));
  if (typeof summary.date !== 'number' || !Number.isFinite(summary.date)) {
    // A NaN date is not a valid IndexedDB key: the row would silently vanish from every list.
    throw new StoreError('invalid', `message ${summary.uid}: date must be a finite number of ms`);
  }
}

/**
 * Recomputes the derived fields of a row. Field by field into one object literal: a spread or a
 * rest pattern (`{ ...row, id }`, `{ shownDate, ...rest }`) leaves V8 a dictionary-mode object,
 * slower to build (~5 µs a row with its garbage, thousands of rows per sync) and slower for
 * IndexedDB to serialise on every `put`. The type lists every field, so a new required field of
 * MessageRow fails to compile here rather than being dropped.
 */
export function withDerived(row: Omit<MessageRow, 'id' | 'unread' | 'shownDate'>): MessageRow {
  const derived: Required<Omit<MessageRow, 'downloadedAt' | 'serverState' | 'shownDate' | 'unread'>> &
    Partial<MessageRow> = {
    accountId: row.accountId,
    folder: row.folder,
    uid: row.uid,
    date: row.date,
    from: row.from,
    to: row.to,
    cc: row.cc,
    subject: row.subject,
    preview: row.preview,
    size: row.size,
    seen: row.seen,
    flagged: row.flagged,
    answered: row.answered,
    hasAttachments: row.hasAttachments,
    messageId: row.messageId,
    deletedLocally: row.deletedLocally,
    bodyState: row.bodyState,
    id: messageId(row.accountId, row.folder, row.uid),
  };
  // Absent when read, so the row has no entry in the unread index.
  if (!row.seen && !row.deletedLocally) derived.unread = 1;
  if (row.downloadedAt !== undefined) derived.downloadedAt = row.downloadedAt;
  if (row.serverState !== undefined) derived.serverState = row.serverState;
  // Absent, not undefined-valued, so the row drops out of the list indexes.
  if (!row.deletedLocally) derived.shownDate = row.date;
  return derived;
}

/** A stored row from an engine summary plus the local state to keep. */
export function toRow(summary: MessageSummary, local: LocalState): MessageRow {
  const preview =
    summary.preview.length > PREVIEW_MAX_CHARS
      ? summary.preview.slice(0, PREVIEW_MAX_CHARS)
      : summary.preview;
  const row: Omit<MessageRow, 'id' | 'unread' | 'shownDate'> = {
    accountId: summary.accountId,
    folder: summary.folder,
    uid: summary.uid,
    date: summary.date,
    from: summary.from,
    to: summary.to,
    cc: summary.cc,
    subject: summary.subject,
    preview,
    size: summary.size,
    seen: summary.seen,
    flagged: summary.flagged,
    answered: summary.answered,
    hasAttachments: summary.hasAttachments,
    messageId: summary.messageId,
    deletedLocally: local.deletedLocally,
    bodyState: local.bodyState,
  };
  if (local.downloadedAt !== undefined) row.downloadedAt = local.downloadedAt;
  if (local.serverState !== undefined) row.serverState = local.serverState;
  return withDerived(row);
}

/** A row with some flags changed, derived fields recomputed. */
export function patchRow(row: MessageRow, patch: FlagPatch): MessageRow {
  return withDerived({ ...row, ...patch });
}
