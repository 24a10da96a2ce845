/**
 * Message summaries: what the popup list shows, what sync diffs against, and the unread counts
 * behind the badge.
 */
import { type IDBPObjectStore, type IDBPTransaction, type StoreNames, unwrap } from 'idb';
import { StoreError } from './errors.ts';
import { AFTER_ALL, checkKey, compareUid, messageId, prefixRange } from './keys.ts';
import {
  checkSummary,
  type FlagPatch,
  type LocalState,
  patchRow,
  toRow,
  withDerived,
} from './message-row.ts';
import { newestPage, newestPageAcross, type Page, type PageCursor } from './newest-page.ts';
import { overlay } from './pending-ops.ts';
import type {
  BiffDatabase,
  BiffDB,
  MessageKey,
  MessageRow,
  MessageSummary,
  MessageUid,
  PendingKind,
} from './schema.ts';
import { deleteAll, putAll, runTx } from './tx.ts';

/**
 * Largest page `listNewest` returns. The popup shows a screenful (~20 rows) and asks for more
 * as it scrolls; a bigger page only holds the read transaction and memory longer.
 */
export const MAX_PAGE = 1000;

export type { Page, PageCursor } from './newest-page.ts';

/** What `listNewest` lists. */
export interface ListQuery {
  /** Rows per page, 1..MAX_PAGE. */
  limit: number;
  /** Continue after this cursor (from the previous page's `next`). */
  before?: PageCursor | null;
  /** Only this account. */
  accountId?: string;
  /** Only this folder of `accountId`. */
  folder?: string;
}

/** Server flags from a flag-only FETCH (CONDSTORE/QRESYNC changes). */
export interface ServerFlags {
  uid: MessageUid;
  seen: boolean;
  flagged: boolean;
  answered: boolean;
}

type PendingStore = IDBPObjectStore<BiffDB, ArrayLike<StoreNames<BiffDB>>, 'pending', 'readwrite'>;
type MessageStore = IDBPObjectStore<BiffDB, ArrayLike<StoreNames<BiffDB>>, 'messages', 'readwrite'>;

/** Queued action kinds per message id, in queue order, for the given accounts. */
async function queuedKinds(
  pending: PendingStore,
  accountIds: Iterable<string>,
): Promise<Map<string, PendingKind[]>> {
  const byMessage = new Map<string, PendingKind[]>();
  const index = pending.index('by-account');
  const lists = await Promise.all([...new Set(accountIds)].map((id) => index.getAll(id)));
  for (const ops of lists) {
    for (const op of ops) {
      const id = messageId(op.accountId, op.folder, op.uid);
      const kinds = byMessage.get(id);
      if (kinds) kinds.push(op.kind);
      else byMessage.set(id, [op.kind]);
    }
  }
  return byMessage;
}

/**
 * Existing rows among `summaries`. Per folder it first reads only the keys between the batch's
 * lowest and highest uid, so a batch of new messages (UIDs above everything stored) costs one
 * empty getAllKeys per folder. Rows that do exist are read with one getAll over that range when
 * they are most of it (a re-sync), else one get each: in Chrome every request is an IPC round
 * trip, and 10,000 gets cost several times one getAll.
 */
async function existingRows(
  messages: MessageStore,
  summaries: readonly MessageSummary[],
): Promise<Map<string, MessageRow>> {
  const groups = new Map<string, { accountId: string; folder: string; min: MessageUid; max: MessageUid }>();
  for (const { accountId, folder, uid } of summaries) {
    const group = `${accountId}\u0000${folder}`;
    const g = groups.get(group);
    if (!g) groups.set(group, { accountId, folder, min: uid, max: uid });
    else {
      if (compareUid(uid, g.min) < 0) g.min = uid;
      if (compareUid(uid, g.max) > 0) g.max = uid;
    }
  }
  const wanted = new Set(summaries.map((s) => messageId(s.accountId, s.folder, s.uid)));
  const perGroup = await Promise.all(
    [...groups.values()].map(async (g) => {
      const range = IDBKeyRange.bound([g.accountId, g.folder, g.min], [g.accountId, g.folder, g.max]);
      const keys = await messages.getAllKeys(range);
      const present = keys.filter(([a, f, u]) => wanted.has(messageId(a, f, u)));
      if (present.length === 0) return [];
      if (present.length * 2 >= keys.length) return messages.getAll(range);
      return Promise.all(present.map((key) => messages.get(key)));
    }),
  );
  const result = new Map<string, MessageRow>();
  for (const rows of perGroup) for (const row of rows) if (row && wanted.has(row.id)) result.set(row.id, row);
  return result;
}

/** Reads and writes message summaries. */
export class MessagesRepo {
  constructor(private readonly db: BiffDatabase) {}

  /**
   * Inserts or replaces summaries in one transaction. Server fields come from `summaries`;
   * what the store owns (body state, POP3 download state) is kept from an existing row; queued
   * offline actions are laid over the result, so fresh server flags never undo a pending
   * "mark read" or show a message whose delete is queued. All or nothing.
   */
  async putSummaries(summaries: readonly MessageSummary[]): Promise<void> {
    for (const summary of summaries) checkSummary(summary);
    if (summaries.length === 0) return;
    const tx = this.db.transaction(['messages', 'pending'], 'readwrite');
    await runTx(tx, async () => {
      const messages = tx.objectStore('messages');
      const [queued, existing] = await Promise.all([
        queuedKinds(
          tx.objectStore('pending'),
          summaries.map((s) => s.accountId),
        ),
        existingRows(messages, summaries),
      ]);
      putAll(
        messages,
        summaries.map((summary) => {
          const id = messageId(summary.accountId, summary.folder, summary.uid);
          const old = existing.get(id);
          const local: LocalState = {
            deletedLocally: false,
            bodyState: old?.bodyState ?? 'none',
            downloadedAt: old?.downloadedAt,
            serverState: old?.serverState,
          };
          const row = toRow(summary, local);
          const kinds = queued.get(id);
          return kinds ? withDerived(overlay(row, kinds)) : row;
        }),
      );
    });
  }

  /**
   * Applies flags reported by the server to existing rows of one folder, keeping queued offline
   * actions on top. Unknown uids are skipped. Returns how many rows were updated.
   */
  async applyServerFlags(
    accountId: string,
    folder: string,
    changes: readonly ServerFlags[],
  ): Promise<number> {
    for (const change of changes) checkKey([accountId, folder, change.uid]);
    if (changes.length === 0) return 0;
    const tx = this.db.transaction(['messages', 'pending'], 'readwrite');
    return runTx(tx, async () => {
      const messages = tx.objectStore('messages');
      const [queued, rows] = await Promise.all([
        queuedKinds(tx.objectStore('pending'), [accountId]),
        Promise.all(changes.map((c) => messages.get([accountId, folder, c.uid]))),
      ]);
      const updated: MessageRow[] = [];
      changes.forEach((change, i) => {
        const row = rows[i];
        if (!row) return;
        const fromServer = patchRow(row, {
          seen: change.seen,
          flagged: change.flagged,
          answered: change.answered,
          deletedLocally: false,
        });
        updated.push(withDerived(overlay(fromServer, queued.get(row.id) ?? [])));
      });
      putAll(messages, updated);
      return updated.length;
    });
  }

  /** A page of the newest messages, optionally of one account or one folder, and where the next page starts. */
  async listNewest(query: ListQuery): Promise<Page> {
    const { limit, before, accountId, folder } = query;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) {
      throw new StoreError('invalid', `limit must be an integer in 1..${MAX_PAGE}`);
    }
    if (folder !== undefined && accountId === undefined) {
      throw new StoreError('invalid', 'a folder filter needs an account');
    }
    const tx = this.db.transaction('messages');
    return runTx(tx, async () => {
      const store = tx.store;
      if (accountId === undefined) {
        const range = before ? IDBKeyRange.upperBound([before.date, before.id], true) : null;
        return newestPage(unwrap(store.index('by-date')), range, limit);
      }
      const byFolder = store.index('by-folder-date');
      const folderRange = (path: string) =>
        before
          ? IDBKeyRange.bound([accountId, path], [accountId, path, before.date, before.id], false, true)
          : prefixRange(accountId, path);
      if (folder !== undefined) return newestPage(unwrap(byFolder), folderRange(folder), limit);
      // A whole account: its folders' pages merged (there is no index by account and date, whose
      // entry per message cost more to write than this costs to read; schema.ts, version 2).
      const folders: string[] = [];
      let cursor = await byFolder.openKeyCursor(prefixRange(accountId));
      while (cursor) {
        const path = cursor.key[1];
        folders.push(path);
        // Past every key of this folder: one step per folder, not per message.
        cursor = await cursor.continue([accountId, path, AFTER_ALL] as unknown as typeof cursor.key);
      }
      return newestPageAcross(unwrap(byFolder), folders.map(folderRange), limit);
    });
  }

  /** One row, hidden or not; undefined when absent. */
  async get(key: MessageKey): Promise<MessageRow | undefined> {
    checkKey(key);
    const tx = this.db.transaction('messages');
    return runTx(tx, () => tx.store.get(key));
  }

  /**
   * Changes flags of a stored row without queueing anything: for state that needs no server
   * action (POP3 flags, which live only here). Use pending-repo.ts for IMAP user actions.
   */
  async setFlags(key: MessageKey, patch: FlagPatch): Promise<MessageRow> {
    checkKey(key);
    const tx = this.db.transaction('messages', 'readwrite');
    return runTx(tx, async () => {
      const row = await tx.store.get(key);
      if (!row) throw new StoreError('not_found', `no message ${messageId(...key)}`);
      const next = patchRow(row, patch);
      await tx.store.put(next);
      return next;
    });
  }

  /** Removes messages and their bodies (expunged on the server, or gone from the maildrop). */
  async remove(keys: readonly MessageKey[]): Promise<void> {
    for (const key of keys) checkKey(key);
    if (keys.length === 0) return;
    const tx = this.db.transaction(['messages', 'bodies'], 'readwrite');
    await runTx(tx, async () => {
      deleteAll(tx.objectStore('messages'), keys);
      deleteAll(tx.objectStore('bodies'), keys);
    });
  }

  /**
   * Drops everything cached for an IMAP folder: messages, bodies, queued actions (their UIDs mean
   * nothing after a UIDVALIDITY change, RFC 3501 §2.3.1.1) and the folder state, so the next sync
   * starts afresh. Refuses a folder holding POP3 mail, which may exist nowhere else.
   */
  async removeFolder(accountId: string, folder: string): Promise<void> {
    checkKey([accountId, folder, 1]);
    const tx = this.db.transaction(['messages', 'bodies', 'pending', 'folders'], 'readwrite');
    await runTx(tx, async () => {
      const messages = tx.objectStore('messages');
      // Strings sort after numbers: this range holds exactly the POP3 (UIDL-keyed) rows.
      const pop3Rows = await messages.count(
        IDBKeyRange.bound([accountId, folder, ''], [accountId, folder, []]),
      );
      if (pop3Rows > 0) throw new StoreError('invalid', `${folder} of ${accountId} holds POP3 mail`);
      await deleteFolderCache(tx, accountId, folder);
      deleteAll(tx.objectStore('folders'), [[accountId, folder]]);
    });
  }

  /** Unread messages of one account, or of all accounts. Hidden (deleted-locally) rows do not count. */
  async countUnread(accountId?: string): Promise<number> {
    if (accountId !== undefined) {
      const tx = this.db.transaction('messages');
      return runTx(tx, () => tx.store.index('unread-by-account').count([accountId, 1]));
    }
    let total = 0;
    for (const count of (await this.unreadByAccount()).values()) total += count;
    return total;
  }

  /** Unread count per account that has any, for the badge and the account tabs. */
  async unreadByAccount(): Promise<Map<string, number>> {
    const tx = this.db.transaction('messages');
    return runTx(tx, async () => {
      const index = tx.store.index('unread-by-account');
      // `nextunique` visits each distinct [account, unread] once: O(accounts), not O(messages).
      const accounts: string[] = [];
      for (let c = await index.openKeyCursor(null, 'nextunique'); c; c = await c.continue()) {
        if (c.key[1] === 1) accounts.push(c.key[0]);
      }
      const counts = await Promise.all(accounts.map((id) => index.count([id, 1])));
      return new Map(accounts.map((id, i) => [id, counts[i] ?? 0]));
    });
  }

  /**
   * Uids of the folder's hidden (deleted-locally) rows. Hidden rows are absent from the list
   * indexes, so two counts answer the usual "none" without reading a single row.
   */
  async hiddenUids(accountId: string, folder: string): Promise<MessageUid[]> {
    checkKey([accountId, folder, 1]);
    const tx = this.db.transaction('messages');
    return runTx(tx, async () => {
      const range = prefixRange(accountId, folder);
      const [all, shown] = await Promise.all([
        tx.store.count(range),
        tx.store.index('by-folder-date').count(range),
      ]);
      if (all === shown) return [];
      const uids: MessageUid[] = [];
      for (let c = await tx.store.openCursor(range); c; c = await c.continue())
        if (c.value.deletedLocally) uids.push(c.value.uid);
      return uids;
    });
  }

  /** Every stored uid of a folder, ascending, hidden rows included: the local side of a sync diff. */
  async uidsInFolder(accountId: string, folder: string): Promise<MessageUid[]> {
    checkKey([accountId, folder, 1]);
    const tx = this.db.transaction('messages');
    const keys = await runTx(tx, () => tx.store.getAllKeys(prefixRange(accountId, folder)));
    return keys.map((key) => key[2]);
  }
}

/** A transaction over everything cached of a folder, as `removeFolder` opens it. */
export type FolderCacheTx = IDBPTransaction<
  BiffDB,
  ['messages', 'bodies', 'pending', 'folders'],
  'readwrite'
>;

/**
 * Deletes a folder's rows, their bodies and its queued actions inside `tx` (its folder row is the
 * caller's: removed by `removeFolder`, rewritten by the IMAP rebuild).
 */
export async function deleteFolderCache(tx: FolderCacheTx, accountId: string, folder: string): Promise<void> {
  const range = prefixRange(accountId, folder);
  const pendingIds = await tx.objectStore('pending').index('by-message').getAllKeys(range);
  deleteAll(tx.objectStore('messages'), [range]);
  deleteAll(tx.objectStore('bodies'), [range]);
  deleteAll(tx.objectStore('pending'), pendingIds);
}
