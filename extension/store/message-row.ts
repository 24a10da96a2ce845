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

/** Recomputes the derived fields of a row. */
export function withDerived<T extends Omit<MessageRow, 'id' | 'unread' | 'shownDate'>>(row: T): MessageRow {
  const { shownDate: _drop, ...rest } = row as T & { shownDate?: number };
  const derived: MessageRow = {
    ...rest,
    id: messageId(row.accountId, row.folder, row.uid),
    unread: !row.seen && !row.deletedLocally ? 1 : 0,
  };
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
