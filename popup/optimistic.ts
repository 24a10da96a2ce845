/**
 * Changes the user made that the cache does not show yet: deleted rows hide at once, and a
 * read/unread toggle shows at once, before the background has written them. Pure.
 */
import type { MessageRow } from '../extension/store/schema.ts';

/** Rows as the user should see them: hidden ones left out, seen overrides applied. */
export function applyOptimistic(
  rows: readonly MessageRow[],
  hidden: ReadonlySet<string>,
  seen: ReadonlyMap<string, boolean>,
): MessageRow[] {
  if (hidden.size === 0 && seen.size === 0) return rows as MessageRow[];
  const out: MessageRow[] = [];
  for (const row of rows) {
    if (hidden.has(row.id)) continue;
    const override = seen.get(row.id);
    out.push(override === undefined || override === row.seen ? row : withSeen(row, override));
  }
  return out;
}

/** A row with `seen` changed and `unread` following it, as the store derives it. */
export function withSeen(row: MessageRow, seen: boolean): MessageRow {
  const { unread: _was, ...rest } = row;
  return !seen && !row.deletedLocally ? { ...rest, seen, unread: 1 } : { ...rest, seen };
}

/**
 * The overrides still needed: one is dropped once the cache shows the same state, so a later
 * change from the server (read on another device) shows again. Returns `seen` itself when
 * nothing changed.
 */
export function settleSeen(
  rows: readonly MessageRow[],
  seen: ReadonlyMap<string, boolean>,
): ReadonlyMap<string, boolean> {
  if (seen.size === 0) return seen;
  let next: Map<string, boolean> | null = null;
  for (const row of rows) {
    const override = seen.get(row.id);
    if (override !== undefined && override === row.seen) {
      next ??= new Map(seen);
      next.delete(row.id);
    }
  }
  return next ?? seen;
}
