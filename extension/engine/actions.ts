/**
 * The user's actions on cached mail, by message id: mark read or unread, flag, delete with a
 * short undo window, and open (load the body). IMAP actions are changed locally and queued in
 * one transaction, then sent; POP3 read state is local by definition (RFC 1939 has no flags)
 * and a POP3 delete is local until the account's retention settings send a DELE.
 */
import type { Account } from '../accounts.ts';
import type { AccountStatus, BackgroundEvent } from '../contract.ts';
import type { MailJob } from '../mail/driver.ts';
import { EngineError } from '../mail/engine-error.ts';
import { BodiesRepo } from '../store/bodies-repo.ts';
import { FoldersRepo } from '../store/folders-repo.ts';
import { messageId, parseMessageId } from '../store/keys.ts';
import { MessagesRepo } from '../store/messages-repo.ts';
import { PendingRepo } from '../store/pending-repo.ts';
import { Pop3Repo } from '../store/pop3-repo.ts';
import { type BiffDatabase, type MessageKey, type MessageRow, POP3_FOLDER } from '../store/schema.ts';
import type { DeleteHolds } from './delete-holds.ts';
import type { SyncReason } from './scheduler.ts';

/** How long "Undo" stays possible after a delete. */
export const UNDO_WINDOW_MS = 6_000;

/** The few operations of the engine (engine.ts) that Actions needs. */
export interface ActionsEngine {
  account(id: string): Account | undefined;
  listAccounts(): Account[];
  now(): number;
  /** Counts the account's unread mail again after a local change. */
  refreshCounts(account: Account): Promise<void>;
  /** Sends the account's queued actions now, or checks it soon. */
  flush(account: Account): void;
  sync(id: string, reason: SyncReason): Promise<AccountStatus>;
  /** Runs a mail job on the push connection or a connection of its own (Engine.run). */
  run(account: Account, job: Extract<MailJob, { kind: 'body' }>): Promise<undefined>;
}

/** What Actions works with. */
export interface ActionsDeps {
  engine: ActionsEngine;
  /** The database its repositories read and write. */
  db: BiffDatabase;
  /** Deletes in their undo window, shared with the engine, which keeps them from every replay. */
  holds: DeleteHolds;
  /** Tell open pages. */
  emit(event: BackgroundEvent): void;
}

/** Options of Actions. */
export interface ActionsOptions {
  /** How long a delete can be undone; default UNDO_WINDOW_MS (tests change it). */
  undoWindowMs?: number;
}

/** The key of a message id the page sent; `not_found` when it names no cached message. */
function keyOfId(engine: ActionsEngine, id: string): MessageKey {
  const key = parseMessageId(id, (a) => engine.account(a)?.protocol);
  if (!key) throw new EngineError('not_found', 'That message is not in the cache');
  return key;
}

function groupByAccount(engine: ActionsEngine, ids: readonly string[]): Map<Account, MessageKey[]> {
  const groups = new Map<Account, MessageKey[]>();
  for (const id of ids) {
    const key = keyOfId(engine, id);
    const account = engine.account(key[0])!;
    const list = groups.get(account) ?? [];
    list.push(key);
    groups.set(account, list);
  }
  return groups;
}

interface HeldDelete {
  timer: ReturnType<typeof setTimeout>;
  accountId: string;
  keys: MessageKey[];
  /** The message ids of `keys`, as the engine holds them back from the replay. */
  ids: string[];
}

/** The user's actions; see the file comment. */
export class Actions {
  private readonly engine: ActionsEngine;
  private readonly replayHolds: DeleteHolds;
  private readonly emit: (event: BackgroundEvent) => void;
  private readonly messages: MessagesRepo;
  private readonly bodies: BodiesRepo;
  private readonly pending: PendingRepo;
  private readonly pop3: Pop3Repo;
  private readonly folders: FoldersRepo;
  private readonly held = new Map<string, HeldDelete>();
  private readonly undoWindowMs: number;

  constructor(deps: ActionsDeps, options: ActionsOptions = {}) {
    const window = options.undoWindowMs ?? UNDO_WINDOW_MS;
    if (!Number.isSafeInteger(window) || window < 0)
      throw new RangeError('undoWindowMs must be a non-negative integer');
    this.undoWindowMs = window;
    this.engine = deps.engine;
    this.replayHolds = deps.holds;
    this.emit = deps.emit;
    this.messages = new MessagesRepo(deps.db);
    this.bodies = new BodiesRepo(deps.db);
    this.pending = new PendingRepo(deps.db);
    this.pop3 = new Pop3Repo(deps.db);
    this.folders = new FoldersRepo(deps.db);
  }

  /** Marks messages read or unread. */
  async setSeen(ids: readonly string[], seen: boolean): Promise<void> {
    for (const [account, keys] of groupByAccount(this.engine, ids)) {
      if (account.protocol === 'imap') {
        const changed = await this.pending.markSeenLocally(keys, seen, this.engine.now());
        await this.adjustImapUnseen(changed, seen ? -1 : 1);
        await this.engine.refreshCounts(account);
        this.engine.flush(account);
      } else {
        for (const key of keys) await this.messages.setFlags(key, { seen });
        await this.engine.refreshCounts(account);
      }
    }
    this.changed(ids);
  }

  /** Flags or unflags messages (IMAP \Flagged; a local mark for POP3). */
  async setFlagged(ids: readonly string[], flagged: boolean): Promise<void> {
    for (const [account, keys] of groupByAccount(this.engine, ids)) {
      if (account.protocol === 'imap') {
        await this.pending.markFlaggedLocally(keys, flagged, this.engine.now());
        this.engine.flush(account);
      } else {
        for (const key of keys) await this.messages.setFlags(key, { flagged });
      }
    }
    this.changed(ids);
  }

  /**
   * Deletes messages: hidden at once, applied when the undo window has passed. IMAP deletes
   * are queued durably right away, and held back from every replay until the window is over
   * (a sync that runs meanwhile must not make "Undo" too late). POP3 deletes stay in memory for
   * the window; if the worker stops meanwhile the message is shown again at the next start
   * (`restoreUnfinishedDeletes`): nothing is lost.
   */
  async deleteMessages(ids: readonly string[]): Promise<string> {
    // Unique across worker restarts: a page still holding an older undo must never take back
    // another delete that happens to get the same token.
    const undo = crypto.randomUUID();
    const groups = groupByAccount(this.engine, ids);
    // Each account's part is registered as soon as it is done, so that if a later one fails,
    // what was already hidden is still applied (or undone) rather than hidden for good.
    const timer = setTimeout(() => void this.commitDelete(undo), this.undoWindowMs);
    for (const [account, keys] of groups) {
      const held = keys.map((key) => messageId(...key));
      if (account.protocol === 'imap') {
        // Held before it is queued, so no replay starting in between can send it.
        this.replayHolds.hold(held);
        try {
          await this.pending.deleteLocally(keys, this.engine.now());
        } catch (error) {
          this.replayHolds.release(held);
          throw error;
        }
      } else {
        for (const key of keys) await this.messages.setFlags(key, { deletedLocally: true });
      }
      this.held.set(`${undo}:${account.id}`, { accountId: account.id, keys, ids: held, timer });
      await this.engine.refreshCounts(account);
    }
    this.changed(ids);
    return undo;
  }

  /** How many deletes are in their undo window (for the debugging console, and tests). */
  get undoable(): number {
    return new Set([...this.held.keys()].map((k) => k.split(':')[0])).size;
  }

  /** Takes a delete back while its window is open; false when it was already applied. */
  async undoDelete(undo: string): Promise<boolean> {
    const holds = [...this.held.entries()].filter(([k]) => k.startsWith(`${undo}:`));
    if (holds.length === 0) return false;
    let restored = true;
    for (const [k, hold] of holds) {
      clearTimeout(hold.timer);
      this.held.delete(k);
      const account = this.engine.account(hold.accountId);
      if (!account) {
        this.replayHolds.release(hold.ids);
        continue;
      }
      if (account.protocol === 'imap') {
        const cancelled = await this.pending.cancelDeletes(hold.keys);
        this.replayHolds.release(hold.ids);
        restored &&= cancelled;
      } else {
        for (const key of hold.keys) await this.messages.setFlags(key, { deletedLocally: false });
      }
      await this.engine.refreshCounts(account);
    }
    this.emit({ biffEvent: 'messages-changed', accountIds: holds.map(([, h]) => h.accountId) });
    return restored;
  }

  /**
   * Shows again the POP3 messages a delete hid whose undo window this worker never saw end (it
   * was stopped meanwhile, and with it the in-memory hold): the delete was never applied, so
   * the message is still here, and hiding it for ever would lose it from view. Call once at
   * worker start, before any delete.
   */
  async restoreUnfinishedDeletes(): Promise<void> {
    for (const account of this.engine.listAccounts()) {
      if (account.protocol !== 'pop3') continue;
      const uids = await this.messages.hiddenUids(account.id, POP3_FOLDER);
      if (uids.length === 0) continue;
      for (const uid of uids)
        await this.messages.setFlags([account.id, POP3_FOLDER, uid], { deletedLocally: false });
      await this.engine.refreshCounts(account);
      this.emit({ biffEvent: 'messages-changed', accountIds: [account.id] });
    }
  }

  /** Applies every delete still in its undo window now (the worker is about to stop, or tests). */
  async commitAll(): Promise<void> {
    const undos = new Set([...this.held.keys()].map((k) => k.split(':')[0]!));
    for (const undo of undos) await this.commitDelete(undo);
  }

  private async commitDelete(undo: string): Promise<void> {
    const holds = [...this.held.entries()].filter(([k]) => k.startsWith(`${undo}:`));
    for (const [k, hold] of holds) {
      clearTimeout(hold.timer);
      this.held.delete(k);
      this.replayHolds.release(hold.ids);
      const account = this.engine.account(hold.accountId);
      if (!account) continue;
      if (account.protocol === 'imap') {
        this.engine.flush(account);
      } else {
        await this.pop3.deleteHere(
          account.id,
          hold.keys.map((key) => String(key[2])),
          this.engine.now(),
        );
        // "Remove from the server when I delete it here" waits for the next session: a check now.
        if (account.pop3.deleteWhenDeletedHere || !account.pop3.leaveCopy)
          void this.engine.sync(account.id, 'action');
      }
    }
  }

  /** Makes the message's full body available (downloads it when needed). */
  async loadBody(id: string): Promise<void> {
    const key = keyOfId(this.engine, id);
    const account = this.engine.account(key[0])!;
    const stored = await this.bodies.get(key);
    if (stored?.complete) {
      await this.bodies.open(key, this.engine.now());
      return;
    }
    await this.engine.run(account, { kind: 'body', folder: key[1], uid: key[2] });
    await this.bodies.open(key, this.engine.now());
  }

  /**
   * Moves the stored STATUS UNSEEN of each changed row's folder by `step`, so the unread count
   * (which covers mail beyond the sync window, Engine.refreshCounts) follows a "mark read" or
   * "mark unread" before the server has it; the next sync reads UNSEEN from the server again,
   * after sending the change. Deletes need no adjustment: the engine leaves hidden messages out.
   */
  private async adjustImapUnseen(rows: readonly MessageRow[], step: 1 | -1): Promise<void> {
    const byFolder = new Map<string, { accountId: string; n: number }>();
    for (const row of rows) {
      const entry = byFolder.get(row.folder) ?? { accountId: row.accountId, n: 0 };
      entry.n++;
      byFolder.set(row.folder, entry);
    }
    for (const [path, { accountId, n }] of byFolder) {
      const folder = await this.folders.get(accountId, path);
      if (folder) await this.folders.put({ ...folder, unseen: Math.max(0, folder.unseen + step * n) });
    }
  }

  private changed(ids: readonly string[]): void {
    const accountIds = [...new Set(ids.map((id) => id.split('\u0000')[0]!))];
    this.emit({ biffEvent: 'messages-changed', accountIds });
  }
}
