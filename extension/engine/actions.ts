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
import type { KeyValueArea } from '../store/settings.ts';
import type { DeleteHolds } from './delete-holds.ts';
import type { SyncReason } from './scheduler.ts';

/** How long "Undo" stays possible after a delete. */
export const UNDO_WINDOW_MS = 6_000;

/**
 * Storage key of the deletes in their undo window (SavedHold[]). The window outlives the worker:
 * a browser stops it whenever it likes (Firefox's event page after its idle timeout, often
 * inside the 6 s), and the delete must still be applied when the window ends.
 */
export const UNDO_HOLDS_KEY = 'undoHolds';

/** One account's part of a delete in its undo window, as stored. */
interface SavedHold {
  undo: string;
  accountId: string;
  keys: MessageKey[];
  /** When the window ends (ms since the epoch, wall clock: alarms and the next start use it). */
  deadline: number;
}

function isMessageKey(value: unknown): value is MessageKey {
  return (
    Array.isArray(value) &&
    value.length === 3 &&
    typeof value[0] === 'string' &&
    typeof value[1] === 'string' &&
    (typeof value[2] === 'string' || typeof value[2] === 'number')
  );
}

/** The stored holds that are well formed; anything else (a damaged or foreign value) is dropped. */
function savedHolds(value: unknown): SavedHold[] {
  if (!Array.isArray(value)) return [];
  return value.filter(
    (h): h is SavedHold =>
      typeof h === 'object' &&
      h !== null &&
      typeof h.undo === 'string' &&
      typeof h.accountId === 'string' &&
      Number.isFinite(h.deadline) &&
      Array.isArray(h.keys) &&
      h.keys.every(isMessageKey),
  );
}

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
  /** Where the undo windows are kept across worker restarts (storage.local in the browser). */
  area: KeyValueArea;
  /**
   * Wake the worker at `at` (the earliest undo window's end), or no longer (null): an alarm, so
   * a worker stopped inside the window still applies the delete when it ends.
   */
  wake(at: number | null): void;
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
  /** Absent between `resumeHolds` and `restoreUnfinishedDeletes` at start-up. */
  timer?: ReturnType<typeof setTimeout>;
  accountId: string;
  keys: MessageKey[];
  /** The message ids of `keys`, as the engine holds them back from the replay. */
  ids: string[];
  deadline: number;
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
  private readonly area: KeyValueArea;
  private readonly wake: (at: number | null) => void;
  /** Undo tokens being applied: the alarm and the timer may both end the same window. */
  private readonly committing = new Set<string>();
  /** The last write of the holds; writes go one after another, each with the whole map. */
  private saving: Promise<void> = Promise.resolve();

  constructor(deps: ActionsDeps, options: ActionsOptions = {}) {
    const window = options.undoWindowMs ?? UNDO_WINDOW_MS;
    if (!Number.isSafeInteger(window) || window < 0)
      throw new RangeError('undoWindowMs must be a non-negative integer');
    this.undoWindowMs = window;
    this.engine = deps.engine;
    this.replayHolds = deps.holds;
    this.emit = deps.emit;
    this.area = deps.area;
    this.wake = deps.wake;
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
   * (a sync that runs meanwhile must not make "Undo" too late). POP3 deletes are only hidden
   * for the window. Each window is stored before the delete is visible, and an alarm is set for
   * its end: a worker stopped inside it applies the delete when the alarm or the next start
   * wakes it (`resumeHolds`, `restoreUnfinishedDeletes`), and the page's "Undo" still works
   * meanwhile.
   */
  async deleteMessages(ids: readonly string[]): Promise<string> {
    // Unique across worker restarts: a page still holding an older undo must never take back
    // another delete that happens to get the same token.
    const undo = crypto.randomUUID();
    const groups = groupByAccount(this.engine, ids);
    // Each account's part is registered as soon as it is done, so that if a later one fails,
    // what was already hidden is still applied (or undone) rather than hidden for good.
    const deadline = Date.now() + this.undoWindowMs;
    const timer = setTimeout(() => void this.commitDelete(undo), this.undoWindowMs);
    for (const [account, keys] of groups) {
      const held = keys.map((key) => messageId(...key));
      const k = `${undo}:${account.id}`;
      // Stored before anything is hidden or queued: whatever happens to the worker after this,
      // the next start finds the window and ends it (a window with nothing queued ends in a
      // flush with nothing to send).
      this.held.set(k, { accountId: account.id, keys, ids: held, timer, deadline });
      await this.saveHolds();
      if (account.protocol === 'imap') {
        // Held before it is queued, so no replay starting in between can send it.
        this.replayHolds.hold(held);
        try {
          await this.pending.deleteLocally(keys, this.engine.now());
        } catch (error) {
          this.replayHolds.release(held);
          this.held.delete(k);
          if (![...this.held.keys()].some((other) => other.startsWith(`${undo}:`))) clearTimeout(timer);
          await this.saveHolds();
          throw error;
        }
      } else {
        for (const key of keys) await this.messages.setFlags(key, { deletedLocally: true });
      }
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
    // Being applied: too late, as once it is.
    if (this.committing.has(undo)) return false;
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
    await this.saveHolds();
    this.emit({ biffEvent: 'messages-changed', accountIds: holds.map(([, h]) => h.accountId) });
    return restored;
  }

  /**
   * Takes back the undo windows a stopped worker left (stored by deleteMessages) and holds
   * their IMAP deletes back from every replay. Call once at worker start, before the engine
   * starts (its start-up replay must not send a delete whose window is still open); their
   * timers and the deletes already due wait for `restoreUnfinishedDeletes`.
   */
  async resumeHolds(): Promise<void> {
    const stored = savedHolds((await this.area.get([UNDO_HOLDS_KEY]))[UNDO_HOLDS_KEY]);
    for (const { undo, accountId, keys, deadline } of stored) {
      const ids = keys.map((key) => messageId(...key));
      this.replayHolds.hold(ids);
      this.held.set(`${undo}:${accountId}`, { accountId, keys, ids, deadline });
    }
  }

  /**
   * Ends the undo windows `resumeHolds` took back: those over while the worker was stopped are
   * applied now, the others get their timer again (and the alarm stays set). Then shows again
   * the POP3 messages hidden by a delete no stored window names (one from a version that kept
   * windows only in memory): never applied, the message is still here, and hiding it for ever
   * would lose it from view. Call once at worker start, after the engine started, before any
   * delete.
   */
  async restoreUnfinishedDeletes(): Promise<void> {
    const now = Date.now();
    const undos = new Map<string, number>();
    for (const [k, hold] of this.held) undos.set(k.split(':')[0]!, hold.deadline);
    for (const [undo, deadline] of undos) {
      if (deadline <= now) {
        await this.commitDelete(undo);
        continue;
      }
      const timer = setTimeout(() => void this.commitDelete(undo), deadline - now);
      for (const [k, hold] of this.held) if (k.startsWith(`${undo}:`)) hold.timer = timer;
    }
    const stillHeld = new Set([...this.held.values()].flatMap((h) => h.ids));
    for (const account of this.engine.listAccounts()) {
      if (account.protocol !== 'pop3') continue;
      const uids = (await this.messages.hiddenUids(account.id, POP3_FOLDER)).filter(
        (uid) => !stillHeld.has(messageId(account.id, POP3_FOLDER, uid)),
      );
      if (uids.length === 0) continue;
      for (const uid of uids)
        await this.messages.setFlags([account.id, POP3_FOLDER, uid], { deletedLocally: false });
      await this.engine.refreshCounts(account);
      this.emit({ biffEvent: 'messages-changed', accountIds: [account.id] });
    }
    await this.saveHolds();
  }

  /** Applies the deletes whose undo window is over (the alarm woke a worker that was running). */
  async commitDue(): Promise<void> {
    const now = Date.now();
    const due = new Set(
      [...this.held.entries()].filter(([, h]) => h.deadline <= now).map(([k]) => k.split(':')[0]!),
    );
    for (const undo of due) await this.commitDelete(undo);
    await this.saveHolds();
  }

  /**
   * Forgets the undo windows in memory without applying them, as a worker that stops does
   * (tests model the stop with it): only the stored windows remain, for the next start.
   */
  stopTimers(): void {
    for (const hold of this.held.values()) clearTimeout(hold.timer);
    this.held.clear();
  }

  /** Applies every delete still in its undo window now (the worker is about to stop, or tests). */
  async commitAll(): Promise<void> {
    const undos = new Set([...this.held.keys()].map((k) => k.split(':')[0]!));
    for (const undo of undos) await this.commitDelete(undo);
  }

  private async commitDelete(undo: string): Promise<void> {
    if (this.committing.has(undo)) return;
    this.committing.add(undo);
    try {
      await this.applyDelete(undo);
    } finally {
      this.committing.delete(undo);
    }
  }

  private async applyDelete(undo: string): Promise<void> {
    const holds = [...this.held.entries()].filter(([k]) => k.startsWith(`${undo}:`));
    for (const [k, hold] of holds) {
      clearTimeout(hold.timer);
      this.held.delete(k);
      this.replayHolds.release(hold.ids);
      const account = this.engine.account(hold.accountId);
      if (!account) {
        await this.saveHolds();
        continue;
      }
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
      // Forgotten only once applied: a worker stopped before this applies it again at the next
      // start, which changes nothing (the IMAP delete is queued once; deleteHere finds it done).
      await this.saveHolds();
    }
  }

  /**
   * Stores the undo windows as they are now and sets the alarm for the earliest end. Writes
   * are queued, so an older snapshot never lands after a newer one.
   */
  private saveHolds(): Promise<void> {
    const snapshot: SavedHold[] = [...this.held.entries()].map(([k, h]) => ({
      undo: k.split(':')[0]!,
      accountId: h.accountId,
      keys: h.keys,
      deadline: h.deadline,
    }));
    const earliest = snapshot.length === 0 ? null : Math.min(...snapshot.map((h) => h.deadline));
    const write = this.saving.then(() => this.area.set({ [UNDO_HOLDS_KEY]: snapshot }));
    // A failed write does not block the next one; the caller of this one sees the failure.
    this.saving = write.catch(() => undefined);
    this.wake(earliest);
    return write;
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
