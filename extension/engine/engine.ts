/**
 * The mail engine behind the background: accounts, one scheduler, push connections, and the
 * user's actions. It touches no `browser.*` API (the background passes in storage, the
 * WebSocket and callbacks), so the same engine runs in Node tests against real Dovecot.
 */
import type { Account, Protocol } from '../accounts.ts';
import type { AccountStatus, BackgroundEvent } from '../contract.ts';
import type { ProtocolDriver } from '../mail/driver.ts';
import { EngineError } from '../mail/engine-error.ts';
import { ImapPush } from '../mail/imap/idle.ts';
import type { OlderResult } from '../mail/imap/older.ts';
import { watchedFolders } from '../mail/imap/sync.ts';
import type { SyncContext, SyncResult } from '../mail/sync-context.ts';
import { type RelaySocketOptions, relayTransportFactory } from '../relay/relay-socket.ts';
import { type RelayEndpoint, TransportError, type TransportFactory } from '../relay/transport.ts';
import { BodiesRepo } from '../store/bodies-repo.ts';
import { FoldersRepo } from '../store/folders-repo.ts';
import { messageId, parseMessageId } from '../store/keys.ts';
import { MessagesRepo } from '../store/messages-repo.ts';
import { PendingRepo } from '../store/pending-repo.ts';
import type { BiffDatabase, MessageKey, MessageRow, MessageUid } from '../store/schema.ts';
import type { SettingsStore } from '../store/settings.ts';
import { initialStatus, Scheduler, type SyncReason } from './scheduler.ts';

export interface EngineDeps {
  db: BiffDatabase;
  settings: SettingsStore;
  drivers: Record<Protocol, ProtocolDriver>;
  /** WebSocket implementation and timeouts for relay connections (Node tests pass `ws`). */
  relaySocket?: RelaySocketOptions;
  now?: () => number;
  /** Statuses saved by a previous worker, so backoff and "last checked" survive a restart. */
  saved?: SavedEngineState;
  /** Hold IMAP connections open for IDLE push (default true). */
  push?: boolean;
  /** Tell open pages. */
  emit(event: BackgroundEvent): void;
  /** Persist state after every change (statuses, "new since last look"). */
  persist(state: SavedEngineState): void;
  /** Unread mail that just arrived, for notifications. */
  onNewMail(account: Account, messages: MessageRow[]): void;
}

/** What the engine keeps across worker restarts. */
export interface SavedEngineState {
  statuses: Array<AccountStatus & { failures?: number }>;
  /**
   * Per account: ids of the unread messages that arrived since the popup was last opened (badge
   * mode "new" counts those of them still unread), at most NEW_TRACKED_MAX.
   */
  newSinceLook: Record<string, string[]>;
}

/**
 * Messages remembered per account for badge mode "new". The badge shows "99+" beyond 99, so
 * more would change nothing on screen; the bound keeps the saved state small after a long
 * time without opening the popup.
 */
export const NEW_TRACKED_MAX = 1000;

/**
 * Least time between two progress events of one account. Each event is a
 * `runtime.sendMessage`, about 2 ms of the worker's time even with no page listening; one per
 * message was a quarter of a 1,000-message POP3 download (BENCHMARKS.md, pop3-download). Ten a
 * second still moves a progress bar smoothly. The first and the last of a sync always go.
 */
export const PROGRESS_INTERVAL_MS = 100;

/** The saved ids, dropping anything of another shape (an older build saved plain counts). */
function savedNewIds(saved: unknown): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  if (typeof saved !== 'object' || saved === null) return out;
  for (const [id, ids] of Object.entries(saved)) {
    if (Array.isArray(ids)) out[id] = ids.filter((x): x is string => typeof x === 'string');
  }
  return out;
}

export class Engine {
  readonly scheduler: Scheduler;
  readonly messages: MessagesRepo;
  readonly bodies: BodiesRepo;
  private accounts: Account[] = [];
  private readonly folders: FoldersRepo;
  private readonly pending: PendingRepo;
  private readonly pushes = new Map<string, ImapPush>();
  private newSinceLook: Record<string, string[]>;
  /** Per account: how many of `newSinceLook` are still unread, as last counted. */
  private newUnread: Record<string, number> = {};
  /** Ids of messages whose delete is in its undo window (Actions): the replay must not send it yet. */
  private readonly heldDeletes = new Set<string>();
  /** Per account: when its last progress event went (performance.now, not the injectable clock). */
  private readonly progressSentAt = new Map<string, number>();
  readonly now: () => number;

  constructor(readonly deps: EngineDeps) {
    this.now = deps.now ?? Date.now;
    this.messages = new MessagesRepo(deps.db);
    this.bodies = new BodiesRepo(deps.db);
    this.folders = new FoldersRepo(deps.db);
    this.pending = new PendingRepo(deps.db);
    this.newSinceLook = savedNewIds(deps.saved?.newSinceLook);
    this.scheduler = new Scheduler(
      {
        run: (id, signal) => this.runSync(id, signal),
        intervalMs: (id) => (this.account(id)?.checkIntervalMinutes ?? 5) * 60_000,
        now: this.now,
        onStatus: () => this.statusChanged(),
        onResult: (id, result) => this.arrived(id, result),
      },
      deps.saved?.statuses ?? [],
    );
  }

  /** Loads accounts and starts push for IMAP accounts. Call once at worker start. */
  async start(): Promise<void> {
    await this.reloadAccounts();
    // The counts behind badge mode "new" are not saved, only the ids: count them again.
    await Promise.all(this.accounts.map((a) => this.countNew(a.id)));
    this.statusChanged();
  }

  /**
   * Re-reads accounts (after the options page saved) and starts or stops push to match.
   * Resolves once the push connections and checks of accounts that are gone have stopped, so
   * their cached mail can be purged without a late write bringing some of it back.
   */
  async reloadAccounts(): Promise<void> {
    this.accounts = await this.deps.settings.listAccounts();
    const wanted = new Set(
      this.accounts
        .filter((a) => a.enabled && a.protocol === 'imap' && this.deps.push !== false)
        .map((a) => a.id),
    );
    const stopping: Promise<void>[] = [];
    for (const [id, push] of this.pushes) {
      if (!wanted.has(id)) {
        this.pushes.delete(id);
        stopping.push(push.stop());
        if (this.account(id)) this.scheduler.patch(id, { push: false });
      }
    }
    for (const id of wanted) if (!this.pushes.has(id)) this.startPush(id);
    for (const status of this.scheduler.statuses()) {
      if (!this.account(status.accountId)) stopping.push(this.scheduler.forget(status.accountId));
    }
    for (const id of Object.keys(this.newSinceLook)) {
      if (!this.account(id)) {
        delete this.newSinceLook[id];
        delete this.newUnread[id];
      }
    }
    this.statusChanged();
    await Promise.all(stopping);
  }

  /** Restarts an account's push (settings or password changed). */
  async restartPush(id: string): Promise<void> {
    const push = this.pushes.get(id);
    if (push) {
      this.pushes.delete(id);
      await push.stop();
    }
    await this.reloadAccounts();
  }

  /**
   * Downloads a body over the account's push connection when it is up (no second login when
   * the user opens a message); false when there is none, and the caller opens a connection.
   */
  async fetchBodyOnPush(accountId: string, folder: string, uid: MessageUid): Promise<boolean> {
    const push = this.pushes.get(accountId);
    if (!push || typeof uid !== 'number') return false;
    return (await push.fetchBody(folder, uid)) !== null;
  }

  /**
   * Extends a folder's cache downward over the account's push connection when it is up (no
   * second login when the popup scrolls past the cached mail); null when there is none, and
   * the caller opens a connection.
   */
  async loadOlderOnPush(accountId: string, folder: string, count: number): Promise<OlderResult | null> {
    return (await this.pushes.get(accountId)?.loadOlder(folder, count)) ?? null;
  }

  /** Stops every push connection (tests, and account removal). */
  async stop(): Promise<void> {
    const pushes = [...this.pushes.values()];
    this.pushes.clear();
    await Promise.all(pushes.map((p) => p.stop()));
  }

  account(id: string): Account | undefined {
    return this.accounts.find((a) => a.id === id);
  }

  listAccounts(): Account[] {
    return [...this.accounts];
  }

  /** The transport factory for the relay the user paired with. */
  async transport(): Promise<TransportFactory> {
    const relay = (await this.deps.settings.getSettings()).relay;
    if (!relay?.url || !relay.token) {
      throw new TransportError(
        'relay_unreachable',
        'Biff is not paired with a relay yet: set it up in the settings',
      );
    }
    return relayTransportFactory(relay as RelayEndpoint, this.deps.relaySocket);
  }

  /** Everything one sync of `account` needs. */
  async context(account: Account, extra: Partial<SyncContext> = {}): Promise<SyncContext> {
    const password = await this.deps.settings.getPassword(account.id);
    if (password === null) throw new EngineError('no_password', `No password is stored for ${account.name}`);
    return {
      db: this.deps.db,
      account,
      password,
      open: await this.transport(),
      now: this.now,
      held: (key: MessageKey) => this.heldDeletes.has(messageId(...key)),
      ...extra,
    };
  }

  /**
   * Deletes the user may still undo (Actions): they stay queued and hidden, but no sync or flush
   * sends them until `release`.
   */
  hold(ids: Iterable<string>): void {
    for (const id of ids) this.heldDeletes.add(id);
  }

  /** The undo window of these deletes is over (or they were undone). */
  release(ids: Iterable<string>): void {
    for (const id of ids) this.heldDeletes.delete(id);
  }

  driver(account: Account): ProtocolDriver {
    return this.deps.drivers[account.protocol];
  }

  /** Checks one account now (or right after its running check); resolves with its status. */
  sync(id: string, reason: SyncReason): Promise<AccountStatus> {
    return this.scheduler.sync(id, reason);
  }

  /** Checks every enabled account. */
  async syncAll(reason: SyncReason): Promise<AccountStatus[]> {
    return Promise.all(this.accounts.filter((a) => a.enabled).map((a) => this.sync(a.id, reason)));
  }

  /** Accounts whose next check is due at `now` (the alarm handler runs these). */
  due(now: number): string[] {
    return this.accounts
      .filter((a) => a.enabled)
      .filter((a) => {
        if (this.scheduler.isRunning(a.id)) return false;
        const s = this.scheduler.status(a.id);
        // Never checked: due now. A failure that retrying cannot fix has no next check.
        if (s.lastSuccess === null && s.state !== 'error') return true;
        return s.nextCheck !== null && s.nextCheck <= now;
      })
      .map((a) => a.id);
  }

  /** Statuses of the current accounts, in display order, and the badge total. */
  status(): { accounts: AccountStatus[]; totalUnread: number } {
    const accounts = this.accounts.map((a) => this.scheduler.status(a.id));
    const totalUnread = this.accounts
      .filter((a) => a.enabled)
      .reduce((sum, a) => sum + this.scheduler.status(a.id).unread, 0);
    return { accounts, totalUnread };
  }

  /** Messages arrived since the popup was last opened that are still unread (badge mode "new"). */
  newCount(id: string): number {
    return this.newUnread[id] ?? 0;
  }

  /** The popup opened: "new since last look" starts again from zero. */
  looked(): void {
    this.newSinceLook = {};
    this.newUnread = {};
    this.statusChanged();
  }

  /**
   * Counts an account's unread mail again after a local change (Actions: read, unread, delete,
   * undo), before anything reaches the server; the next sync reads it from the server again.
   */
  async refreshCounts(account: Account): Promise<void> {
    const unread =
      account.protocol === 'imap'
        ? await this.imapUnread(account)
        : await this.messages.countUnread(account.id);
    await this.countNew(account.id);
    this.scheduler.patch(account.id, { unread });
  }

  /**
   * An IMAP account's unread count: STATUS UNSEEN of its watched folders as last read (so mail
   * beyond the sync window counts, and a "mark read" here has already lowered it, Actions), less
   * the unread messages hidden here whose delete the server has not had yet: those STATUS still
   * counts while the delete is in its undo window or queued offline.
   */
  private async imapUnread(account: Account): Promise<number> {
    const watched = new Set(watchedFolders({ account }));
    const [folders, queued] = await Promise.all([
      this.folders.listByAccount(account.id),
      this.pending.peekAll(account.id),
    ]);
    const unseen = folders.filter((f) => watched.has(f.path)).reduce((sum, f) => sum + f.unseen, 0);
    const deletes = queued.filter((op) => op.kind === 'delete' && watched.has(op.folder));
    const rows = await Promise.all(deletes.map((op) => this.messages.get([op.accountId, op.folder, op.uid])));
    const hidden = new Set(rows.filter((r) => r?.deletedLocally && !r.seen).map((r) => r!.id));
    return Math.max(0, unseen - hidden.size);
  }

  /** Counts how many of the account's "new since last look" messages are still unread. */
  private async countNew(id: string): Promise<void> {
    const ids = this.newSinceLook[id] ?? [];
    const protocolOf = (accountId: string) => this.account(accountId)?.protocol;
    const rows = await Promise.all(
      ids.map((text) => {
        const key = parseMessageId(text, protocolOf);
        return key ? this.messages.get(key) : undefined; // no key: the account is gone
      }),
    );
    this.newUnread[id] = rows.filter((r) => r?.unread === 1).length;
  }

  /**
   * What the engine adds to a sync's result before anyone sees it: the new mail joins "new
   * since last look", that list is counted again (mail read or deleted elsewhere drops out),
   * and an IMAP account's unread count leaves out the deletes still held here.
   */
  private async settle(account: Account, result: SyncResult): Promise<SyncResult> {
    if (result.newMessages.length > 0) {
      const ids = [...(this.newSinceLook[account.id] ?? []), ...result.newMessages.map((m) => m.id)];
      this.newSinceLook[account.id] = [...new Set(ids)].slice(-NEW_TRACKED_MAX);
    }
    await this.countNew(account.id);
    return account.protocol === 'imap' ? { ...result, unread: await this.imapUnread(account) } : result;
  }

  /** Sends queued actions now when the account has a live connection, else checks it soon. */
  flush(account: Account): void {
    const push = this.pushes.get(account.id);
    void (push?.connected ? push.flushPending() : Promise.resolve(false)).then((sent) => {
      if (!sent) void this.sync(account.id, 'action');
    });
  }

  private async runSync(id: string, signal: AbortSignal): Promise<SyncResult> {
    const account = this.account(id);
    if (!account) throw new EngineError('no_account', 'The account no longer exists');
    const onProgress = (done: number, total: number) => this.progress(id, done, total);
    // An IMAP account whose push connection is up syncs on it: no TLS handshake and login of
    // its own (most of a sync that finds nothing new). Otherwise, or when that connection fails
    // under the sync, over a connection of its own.
    const onPush = await this.pushes.get(id)?.syncAll({ signal, onProgress });
    if (onPush) return this.settle(account, onPush);
    const ctx = await this.context(account, { signal, onProgress });
    return this.settle(account, await this.driver(account).sync(ctx));
  }

  private progress(accountId: string, done: number, total: number): void {
    const at = performance.now();
    const last = this.progressSentAt.get(accountId);
    const edge = done === 0 || done >= total;
    if (!edge && last !== undefined && at - last < PROGRESS_INTERVAL_MS) return;
    this.progressSentAt.set(accountId, at);
    this.deps.emit({ biffEvent: 'sync-progress', accountId, done, total });
  }

  private startPush(id: string): void {
    const push = new ImapPush({
      context: async () => {
        const account = this.account(id);
        if (!account) throw new EngineError('no_account', 'The account no longer exists');
        return this.context(account);
      },
      onChange: (result) => {
        const account = this.account(id);
        if (!account) return;
        void this.settle(account, result)
          .catch(() => result)
          .then((settled) => {
            if (!this.account(id)) return;
            this.scheduler.patch(id, { unread: settled.unread });
            this.arrived(id, settled);
          });
      },
      onState: (state) => {
        // Live while the connection is up: idling, or syncing on it after a notification (a
        // flicker to "no push" at every new message would be wrong, and seen in the popup).
        const live = state === 'idle' || state === 'syncing';
        if (this.account(id) && this.scheduler.status(id).push !== live)
          this.scheduler.patch(id, { push: live });
      },
      onError: () => {
        /* the scheduled checks report errors; push reconnects by itself */
      },
    });
    this.pushes.set(id, push);
    push.start();
  }

  /** A sync's result, settled: tell open pages, and announce the new mail. */
  private arrived(id: string, result: SyncResult): void {
    const account = this.account(id);
    this.deps.emit({ biffEvent: 'messages-changed', accountIds: [id] });
    if (!account || result.newMessages.length === 0) return;
    if (account.notify) this.deps.onNewMail(account, result.newMessages);
  }

  private statusChanged(): void {
    const { accounts, totalUnread } = this.status();
    this.deps.persist({
      statuses: this.scheduler
        .statuses()
        .map((s) => ({ ...s, failures: this.scheduler.failures(s.accountId) })),
      newSinceLook: this.newSinceLook,
    });
    this.deps.emit({ biffEvent: 'status', accounts, totalUnread });
  }

  /** A status for an account without any check yet (new accounts). */
  static blankStatus(id: string): AccountStatus {
    return initialStatus(id);
  }
}
