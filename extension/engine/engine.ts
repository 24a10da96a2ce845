/**
 * The mail engine behind the background: accounts, one scheduler, push connections, and the
 * user's actions. It touches no `browser.*` API (the background passes in storage, the
 * WebSocket and callbacks), so the same engine runs in Node tests against real Dovecot.
 */
import type { Account, Protocol } from '../accounts.ts';
import type { AccountStatus, BackgroundEvent } from '../contract.ts';
import { ImapPush } from '../mail/imap/idle.ts';
import { type RelaySocketOptions, relayTransportFactory } from '../relay/relay-socket.ts';
import { type RelayEndpoint, TransportError, type TransportFactory } from '../relay/transport.ts';
import { BodiesRepo } from '../store/bodies-repo.ts';
import { MessagesRepo } from '../store/messages-repo.ts';
import type { BiffDatabase, MessageRow } from '../store/schema.ts';
import type { SettingsStore } from '../store/settings.ts';
import type { ProtocolDriver } from './drivers.ts';
import { EngineError } from './engine-error.ts';
import { initialStatus, Scheduler, type SyncReason } from './scheduler.ts';
import type { SyncContext, SyncResult } from './types.ts';

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
  /** Per account: messages arrived since the popup was last opened (badge mode "new"). */
  newSinceLook: Record<string, number>;
}

export class Engine {
  readonly scheduler: Scheduler;
  readonly messages: MessagesRepo;
  readonly bodies: BodiesRepo;
  private accounts: Account[] = [];
  private readonly pushes = new Map<string, ImapPush>();
  private newSinceLook: Record<string, number>;
  readonly now: () => number;

  constructor(readonly deps: EngineDeps) {
    this.now = deps.now ?? Date.now;
    this.messages = new MessagesRepo(deps.db);
    this.bodies = new BodiesRepo(deps.db);
    this.newSinceLook = { ...(deps.saved?.newSinceLook ?? {}) };
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
  }

  /** Re-reads accounts (after the options page saved) and starts or stops push to match. */
  async reloadAccounts(): Promise<void> {
    this.accounts = await this.deps.settings.listAccounts();
    const wanted = new Set(
      this.accounts
        .filter((a) => a.enabled && a.protocol === 'imap' && this.deps.push !== false)
        .map((a) => a.id),
    );
    for (const [id, push] of this.pushes) {
      if (!wanted.has(id)) {
        this.pushes.delete(id);
        void push.stop();
        if (this.account(id)) this.scheduler.patch(id, { push: false });
      }
    }
    for (const id of wanted) if (!this.pushes.has(id)) this.startPush(id);
    for (const status of this.scheduler.statuses()) {
      if (!this.account(status.accountId)) this.scheduler.forget(status.accountId);
    }
    this.statusChanged();
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
    return { db: this.deps.db, account, password, open: await this.transport(), now: this.now, ...extra };
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

  /** Messages arrived since the popup was last opened. */
  newCount(id: string): number {
    return this.newSinceLook[id] ?? 0;
  }

  /** The popup opened: "new since last look" starts again from zero. */
  looked(): void {
    this.newSinceLook = {};
    this.statusChanged();
  }

  /** Sets an account's unread count after a local change (the next sync corrects it). */
  setUnread(id: string, unread: number): void {
    this.scheduler.patch(id, { unread: Math.max(0, unread) });
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
    const ctx = await this.context(account, {
      signal,
      onProgress: (done, total) => this.progress(id, done, total),
    });
    return this.driver(account).sync(ctx);
  }

  private progress(accountId: string, done: number, total: number): void {
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
        this.scheduler.patch(id, { unread: result.unread });
        this.arrived(id, result);
      },
      onState: (state) => {
        if (this.account(id)) this.scheduler.patch(id, { push: state === 'idle' });
      },
      onError: () => {
        /* the scheduled checks report errors; push reconnects by itself */
      },
    });
    this.pushes.set(id, push);
    push.start();
  }

  private arrived(id: string, result: SyncResult): void {
    const account = this.account(id);
    this.deps.emit({ biffEvent: 'messages-changed', accountIds: [id] });
    if (!account || result.newMessages.length === 0) return;
    this.newSinceLook[id] = this.newCount(id) + result.newMessages.length;
    this.statusChanged();
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
