/**
 * Badge mode "new": per account, the unread messages that arrived since the popup was last
 * opened. The ids are saved with the engine's state (a worker restart keeps them); how many of
 * them are still unread is counted again from the store, never saved.
 */

import { messageId } from '../store/keys.ts';

/**
 * Messages remembered per account. The badge shows "99+" beyond 99, so more would change
 * nothing on screen; the bound keeps the saved state small after a long time without opening
 * the popup.
 */
export const NEW_TRACKED_MAX = 1000;

/** The saved ids, dropping anything of another shape (an older build saved plain counts). */
function savedNewIds(saved: unknown): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  if (typeof saved !== 'object' || saved === null) return out;
  for (const [id, ids] of Object.entries(saved)) {
    if (Array.isArray(ids)) out[id] = ids.filter((x): x is string => typeof x === 'string');
  }
  return out;
}

export class NewSinceLook {
  private ids: Record<string, string[]>;
  /** Per account: how many of `ids` are still unread, as last counted. */
  private unread: Record<string, number> = {};

  /**
   * @param saved what `saved()` returned in an earlier worker (anything else is dropped)
   * @param isUnread whether the message with this id is cached and still unread
   */
  constructor(
    saved: unknown,
    private readonly isUnread: (id: string) => Promise<boolean>,
  ) {
    this.ids = savedNewIds(saved);
  }

  /** Still-unread messages of the account that arrived since the last look. */
  count(accountId: string): number {
    return this.unread[accountId] ?? 0;
  }

  /** New mail arrived (ids of `MessageRow.id`); `recount` afterwards. */
  add(accountId: string, ids: readonly string[]): void {
    if (ids.length === 0) return;
    const all = [...(this.ids[accountId] ?? []), ...ids];
    this.ids[accountId] = [...new Set(all)].slice(-NEW_TRACKED_MAX);
  }

  /**
   * A folder was rebuilt after its UIDVALIDITY changed: its ids from before name other messages
   * now, or none. Each tracked id of the folder becomes its message's new id when `renumbered`
   * has it, and is dropped otherwise (a message gone, or read: it would not count anyway).
   * `recount` afterwards.
   */
  renumber(accountId: string, folder: string, renumbered: ReadonlyArray<[from: string, to: string]>): void {
    const ids = this.ids[accountId];
    if (!ids) return;
    const prefix = messageId(accountId, folder, '');
    const map = new Map(renumbered);
    this.ids[accountId] = ids.flatMap((id) => {
      if (!id.startsWith(prefix)) return [id];
      const to = map.get(id);
      return to === undefined ? [] : [to];
    });
  }

  /** Counts again how many of the account's messages are still unread (read or deleted ones drop out). */
  async recount(accountId: string): Promise<void> {
    const flags = await Promise.all((this.ids[accountId] ?? []).map((id) => this.isUnread(id)));
    this.unread[accountId] = flags.filter(Boolean).length;
  }

  /** Drops the accounts that are gone. */
  retain(exists: (accountId: string) => boolean): void {
    for (const id of Object.keys(this.ids)) {
      if (!exists(id)) {
        delete this.ids[id];
        delete this.unread[id];
      }
    }
  }

  /** The popup opened: everything starts again from zero. */
  reset(): void {
    this.ids = {};
    this.unread = {};
  }

  /** What to save across worker restarts. */
  saved(): Record<string, string[]> {
    return this.ids;
  }
}
