/**
 * The mail engine behind the background: accounts, one scheduler, push connections, and where
 * each mail job runs. It touches no `browser.*` API (the background passes in storage, the
 * WebSocket and callbacks), so the same engine runs in Node tests against real Dovecot. It
 * reaches the protocols only through their drivers (mail/driver.ts).
 */
import type { Account, Protocol } from '../accounts.ts';
import type { AccountStatus, BackgroundEvent, ProbeReport } from '../contract.ts';
import {
  MAX_OLDER_BATCH,
  type MailJob,
  type MailJobResult,
  type OlderResult,
  type ProtocolDriver,
  type PushSession,
} from '../mail/driver.ts';
import { EngineError } from '../mail/engine-error.ts';
import { needsSignIn, type OAuthError } from '../mail/oauth/errors.ts';
import type { Fetch } from '../mail/oauth/http.ts';
import type { SyncContext, SyncResult } from '../mail/sync-context.ts';
import {
  checkRelay,
  openRelaySocket,
  type RelaySocketOptions,
  relayTransportFactory,
} from '../relay/relay-socket.ts';
import { type RelayEndpoint, TransportError, type TransportFactory } from '../relay/transport.ts';
import { purgeAccount } from '../store/account-purge.ts';
import { parseMessageId } from '../store/keys.ts';
import { MessagesRepo } from '../store/messages-repo.ts';
import type { BiffDatabase, MessageRow } from '../store/schema.ts';
import type { SettingsStore } from '../store/settings.ts';
import { AccountTokens } from './account-tokens.ts';
import { classifyError } from './classify.ts';
import { testConnection } from './connection-test.ts';
import type { DeleteHolds } from './delete-holds.ts';
import { NewSinceLook } from './new-since-look.ts';
import { Scheduler, type SyncReason } from './scheduler.ts';

export interface EngineDeps {
  db: BiffDatabase;
  settings: SettingsStore;
  drivers: Record<Protocol, ProtocolDriver>;
  /** Deletes in their undo window (shared with Actions): no sync or flush sends them. */
  holds: DeleteHolds;
  /** WebSocket implementation and timeouts for relay connections (Node tests pass `ws`). */
  relaySocket?: RelaySocketOptions;
  now?: () => number;
  /** Statuses saved by a previous worker, so backoff and "last checked" survive a restart. */
  saved?: SavedEngineState;
  /** Hold connections open for push where the protocol has it (default true). */
  push?: boolean;
  /** Tell open pages. */
  emit(event: BackgroundEvent): void;
  /** Persist state after every change (statuses, "new since last look"). */
  persist(state: SavedEngineState): void;
  /** Unread mail that just arrived, for notifications. */
  onNewMail(account: Account, messages: MessageRow[]): void;
  /** fetch for OAuth token requests (default: the global one). */
  fetch?: Fetch;
  /** An OAuth account's refresh was refused: the user must sign in again (once per refusal). */
  onSignInNeeded?(account: Account, error: OAuthError): void;
  /**
   * Sets (ms since the epoch) or clears (null) an OAuth account's alarm for refreshing its
   * token ahead of expiry; when it fires, call `refreshTokenIfDue`. Without it (Node tests),
   * tokens are refreshed on demand only.
   */
  scheduleTokenRefresh?(accountId: string, at: number | null): void;
}

/** What the engine keeps across worker restarts. */
export interface SavedEngineState {
  statuses: Array<AccountStatus & { failures?: number }>;
  /**
   * Per account: ids of the unread messages that arrived since the popup was last opened (badge
   * mode "new" counts those of them still unread), at most NEW_TRACKED_MAX (new-since-look.ts).
   */
  newSinceLook: Record<string, string[]>;
}

/**
 * Least time between two progress events of one account. Each event is a
 * `runtime.sendMessage`, about 2 ms of the worker's time even with no page listening; one per
 * message was a quarter of a 1,000-message POP3 download (BENCHMARKS.md, pop3-download). Ten a
 * second still moves a progress bar smoothly. The first and the last of a sync always go.
 */
export const PROGRESS_INTERVAL_MS = 100;

export class Engine {
  readonly scheduler: Scheduler;
  private accounts: Account[] = [];
  private readonly messages: MessagesRepo;
  private readonly pushes = new Map<string, PushSession>();
  private readonly newSinceLook: NewSinceLook;
  /** Per account: when its last progress event went (performance.now, not the injectable clock). */
  private readonly progressSentAt = new Map<string, number>();
  /**
   * The primary password is not entered yet (settings.ts): no secret can be read, so nothing is
   * checked and no push runs, and the statuses stay as they were instead of failing one by one.
   */
  private isLocked = false;
  readonly now: () => number;

  /** Access tokens of OAuth accounts. */
  readonly tokens: AccountTokens;

  constructor(private readonly deps: EngineDeps) {
    this.now = deps.now ?? Date.now;
    this.tokens = new AccountTokens({
      settings: deps.settings,
      fetch: deps.fetch ?? ((url, init) => fetch(url, init)),
      now: this.now,
      ...(deps.scheduleTokenRefresh ? { schedule: deps.scheduleTokenRefresh } : {}),
      onSignInNeeded: (id, error) => {
        const account = this.account(id);
        if (!account) return;
        deps.onSignInNeeded?.(account, error);
        // The sign-in is gone: push stops (a connection logged in earlier would go on showing
        // mail, and a check would run on it and pass, while the account needs a sign-in). A
        // check refused outside a check (by a refresh ahead of expiry, or by push) then puts
        // the account in the auth state (badge, "Sign in again") without waiting for the next
        // one; it asks the token endpoint nothing: the keeper answers with the refusal.
        void this.stopPush(id).then(() => {
          if (this.account(id) && !this.scheduler.isRunning(id)) void this.sync(id, 'retry');
        });
      },
    });
    this.messages = new MessagesRepo(deps.db);
    this.newSinceLook = new NewSinceLook(deps.saved?.newSinceLook, async (id) => {
      const key = parseMessageId(id, (accountId) => this.account(accountId)?.protocol);
      // No key: the account is gone.
      return key !== undefined && (await this.messages.get(key))?.unread === 1;
    });
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

  /** Loads accounts and starts push where the protocol has it. Call once at worker start. */
  async start(): Promise<void> {
    await this.reloadAccounts();
    // Counted again from what is stored: the counts behind badge mode "new" are not saved (only
    // the ids), and the saved unread counts may be older than the store, since the state is
    // saved a moment after it changes and the background can be stopped within that moment
    // (seen in Firefox: a POP3 message stored just before the stop was missing from the badge).
    await Promise.all(this.accounts.map((a) => this.refreshCounts(a)));
    this.statusChanged();
  }

  /** Whether checks wait for the primary password. */
  get locked(): boolean {
    return this.isLocked;
  }

  /**
   * Holds every check and push while locked; unlocking starts push again (the caller checks
   * the accounts). Resolves once push connections stopped or started.
   */
  async setLocked(locked: boolean): Promise<void> {
    if (this.isLocked === locked) return;
    this.isLocked = locked;
    await this.reloadAccounts();
  }

  /**
   * Re-reads accounts (after the options page saved) and starts or stops push to match.
   * Resolves once the push connections and checks of accounts that are gone have stopped, so
   * their cached mail can be purged without a late write bringing some of it back.
   */
  async reloadAccounts(): Promise<void> {
    this.accounts = await this.deps.settings.listAccounts();
    const wanted = this.pushWanted();
    const stopping: Promise<void>[] = [];
    for (const id of [...this.pushes.keys()]) if (!wanted.has(id)) stopping.push(this.stopPush(id));
    for (const id of wanted) if (!this.pushes.has(id)) this.startPush(this.account(id)!);
    // A status saved by an earlier worker may still say "push" for a connection that is not
    // started here (locked by the primary password): only a running one may say so.
    for (const account of this.accounts)
      if (!this.pushes.has(account.id) && this.scheduler.status(account.id).push)
        this.scheduler.patch(account.id, { push: false });
    for (const status of this.scheduler.statuses()) {
      if (!this.account(status.accountId)) {
        this.tokens.forget(status.accountId);
        stopping.push(this.scheduler.forget(status.accountId));
      }
    }
    // Each OAuth account's alarm for its refresh ahead of expiry, from the stored expiry (a
    // worker that starts, an account signed in again); locked, no token can be read.
    if (!this.isLocked)
      for (const account of this.accounts) if (account.auth && account.enabled) void this.tokens.arm(account);
    this.newSinceLook.retain((id) => this.account(id) !== undefined);
    this.statusChanged();
    await Promise.all(stopping);
  }

  /** The accounts that should hold a push connection now: enabled, with push, not locked. */
  private pushWanted(): Set<string> {
    return new Set(
      this.accounts
        .filter((a) => a.enabled && this.driver(a).push && this.deps.push !== false && !this.isLocked)
        .map((a) => a.id),
    );
  }

  /** Whether any account should hold a push connection now (the background keeps a wake-up alarm for it). */
  wantsPush(): boolean {
    return this.pushWanted().size > 0;
  }

  /**
   * Starts push for every account that should have it and has none running; with all of them
   * running (the usual case) does nothing, and touches no storage or network. Returns how many
   * were started.
   */
  resumePush(): number {
    let started = 0;
    for (const id of this.pushWanted()) {
      const account = this.account(id);
      if (this.pushes.has(id) || !account) continue;
      this.startPush(account);
      started += 1;
    }
    return started;
  }

  /** An OAuth account's refresh alarm fired: its token is refreshed if due. Never rejects. */
  async refreshTokenIfDue(id: string): Promise<void> {
    const account = this.account(id);
    if (!account?.auth || !account.enabled || this.isLocked) {
      // Removed, disabled or locked: no refresh; the alarm goes (start-up or unlock sets it again).
      this.tokens.forget(id);
      return;
    }
    await this.tokens.refreshIfDue(account);
  }

  /** Restarts an account's push (settings or password changed). */
  async restartPush(id: string): Promise<void> {
    await this.stopPush(id);
    await this.reloadAccounts();
  }

  /**
   * Removes an account: its settings and password, its push and checks, then its cached mail
   * (only once nothing of it runs any more, so no late write brings some of it back).
   */
  async removeAccount(id: string): Promise<void> {
    // An OAuth account's token is revoked first, while it is still stored (RFC 7009; best effort).
    const account = await this.deps.settings.getAccount(id);
    if (account?.auth) await this.tokens.revoke(account);
    await this.deps.settings.removeAccount(id);
    await this.reloadAccounts();
    await purgeAccount(this.deps.db, id);
  }

  /** Stops every push connection (tests, and account removal). */
  async stop(): Promise<void> {
    this.tokens.stopAll();
    await Promise.all([...this.pushes.keys()].map((id) => this.stopPush(id)));
  }

  /**
   * Stops one account's push connection. Its status stops saying "push" at once: a status still
   * showing the old connection would read as push on the new one (a relay or password change
   * restarts push) until the new connection reports for itself.
   */
  private async stopPush(id: string): Promise<void> {
    const push = this.pushes.get(id);
    if (!push) return;
    this.pushes.delete(id);
    if (this.account(id) && this.scheduler.status(id).push) this.scheduler.patch(id, { push: false });
    await push.stop();
  }

  account(id: string): Account | undefined {
    return this.accounts.find((a) => a.id === id);
  }

  listAccounts(): Account[] {
    return [...this.accounts];
  }

  /** The transport factory for the relay the user paired with. */
  private async transport(): Promise<TransportFactory> {
    const relay = (await this.deps.settings.getSettings()).relay;
    if (!relay?.url || !relay.token) {
      throw new TransportError(
        'relay_unreachable',
        'Biff is not paired with a relay yet: set it up in the settings',
      );
    }
    return relayTransportFactory(relay as RelayEndpoint, this.deps.relaySocket);
  }

  /** Everything one job on a connection of its own for `account` needs. */
  private async context(account: Account, extra: Partial<SyncContext> = {}): Promise<SyncContext> {
    // An OAuth account logs in with a current access token where the password goes.
    const password = account.auth
      ? await this.tokens.accessToken(account)
      : await this.deps.settings.getPassword(account.id);
    if (password === null) throw new EngineError('no_password', `No password is stored for ${account.name}`);
    return {
      db: this.deps.db,
      account,
      password,
      open: await this.transport(),
      now: this.now,
      held: (key) => this.deps.holds.has(key),
      ...extra,
    };
  }

  private driver(account: Account): ProtocolDriver {
    return this.deps.drivers[account.protocol];
  }

  /**
   * The one route of every mail job (a sync, a flush of queued actions, a body, older mail):
   * on the account's push connection when it is up and takes the job (no TLS handshake and
   * login of its own: most of a sync that finds nothing new), else on a connection of its own.
   * A job that fails on a working push connection is not run again elsewhere: the failure is
   * thrown, without the password, as the other connection would meet it too.
   */
  async run<J extends MailJob>(account: Account, job: J): Promise<MailJobResult<J>> {
    const push = this.pushes.get(account.id);
    const onPush = push ? await push.runJob(job) : null;
    if (onPush !== null) return onPush;
    try {
      return (await this.onOwnConnection(account, job)) as MailJobResult<J>;
    } catch (error) {
      // An OAuth account's token refused by the server (revoked, or expired sooner than it
      // said): one refresh and one more try. A refused refresh is an OAuthError, not retried.
      if (!account.auth || classifyError(error).code !== 'auth_failed') throw error;
      await this.tokens.refresh(account);
      return (await this.onOwnConnection(account, job)) as MailJobResult<J>;
    }
  }

  private async onOwnConnection(account: Account, job: MailJob): Promise<MailJobResult<MailJob>> {
    const driver = this.driver(account);
    switch (job.kind) {
      case 'sync':
        return driver.sync(await this.context(account, { signal: job.signal, onProgress: job.onProgress }));
      case 'flush':
        // Sending the queue is the first thing a sync does; the scheduler runs it (or runs it
        // once more right after the sync already running).
        void this.sync(account.id, 'action');
        return undefined;
      case 'body':
        await driver.loadBody(await this.context(account), job.folder, job.uid);
        return undefined;
      case 'older':
        // Drivers without loadOlder keep everything they see (engine.loadOlder asks first).
        return driver.loadOlder
          ? driver.loadOlder(await this.context(account), job.folder, job.count)
          : { loaded: 0, more: false };
    }
  }

  /** Checks one account now (or right after its running check); resolves with its status. */
  sync(id: string, reason: SyncReason): Promise<AccountStatus> {
    if (this.isLocked) return Promise.resolve(this.scheduler.status(id));
    return this.scheduler.sync(id, reason);
  }

  /** Checks every enabled account. */
  async syncAll(reason: SyncReason): Promise<AccountStatus[]> {
    return Promise.all(this.accounts.filter((a) => a.enabled).map((a) => this.sync(a.id, reason)));
  }

  /** Sends queued actions now when the account has a live connection, else checks it soon. */
  flush(account: Account): void {
    void this.run(account, { kind: 'flush' });
  }

  /**
   * Extends a folder's cache downward by up to `count` messages (the popup scrolled past the
   * cached mail). A protocol that keeps everything it sees (POP3) has nothing older to fetch.
   */
  async loadOlder(accountId: string, folder: string, count: number): Promise<OlderResult> {
    const account = this.account(accountId);
    if (!account) throw new EngineError('no_account', 'The account no longer exists');
    if (typeof folder !== 'string' || folder === '')
      throw new EngineError('invalid', 'Which folder to extend is missing');
    if (!Number.isInteger(count) || count < 1 || count > MAX_OLDER_BATCH)
      throw new EngineError('invalid', `count must be an integer in 1..${MAX_OLDER_BATCH}`);
    if (!this.driver(account).loadOlder) return { loaded: 0, more: false };
    const result = await this.run(account, { kind: 'older', folder, count });
    if (result.loaded > 0) this.deps.emit({ biffEvent: 'messages-changed', accountIds: [accountId] });
    return result;
  }

  /** "Test connection" of account settings that may not be saved yet, through `relay`. */
  testConnection(relay: RelayEndpoint, account: Account, password: string): Promise<ProbeReport> {
    const socket = this.deps.relaySocket ?? {};
    return testConnection(
      relay,
      (endpoint) => checkRelay(endpoint, socket),
      (target) => openRelaySocket(relay, target, socket),
      this.driver(account).probe,
      account,
      password,
    );
  }

  /** Accounts whose next check is due at `now` (the alarm handler runs these). */
  due(now: number): string[] {
    if (this.isLocked) return [];
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
  status(): { accounts: AccountStatus[]; totalUnread: number; locked: boolean } {
    const accounts = this.accounts.map((a) => this.scheduler.status(a.id));
    const totalUnread = this.accounts
      .filter((a) => a.enabled)
      .reduce((sum, a) => sum + this.scheduler.status(a.id).unread, 0);
    return { accounts, totalUnread, locked: this.isLocked };
  }

  /** Messages arrived since the popup was last opened that are still unread (badge mode "new"). */
  newCount(id: string): number {
    return this.newSinceLook.count(id);
  }

  /** The popup opened: "new since last look" starts again from zero. */
  looked(): void {
    this.newSinceLook.reset();
    this.statusChanged();
  }

  /**
   * Counts an account's unread mail again after a local change (Actions: read, unread, delete,
   * undo), before anything reaches the server; the next sync reads it from the server again.
   */
  async refreshCounts(account: Account): Promise<void> {
    const unread = await this.driver(account).unread(this.deps.db, account);
    await this.newSinceLook.recount(account.id);
    this.scheduler.patch(account.id, { unread });
  }

  /**
   * What the engine adds to a sync's result before anyone sees it: the new mail joins "new
   * since last look", that list is counted again (mail read or deleted elsewhere drops out),
   * and the unread count is the driver's, from what is stored (an IMAP account's leaves out
   * the deletes still held here).
   */
  private async settle(account: Account, result: SyncResult): Promise<SyncResult> {
    for (const { folder, renumbered } of result.rebuilt ?? [])
      this.newSinceLook.renumber(account.id, folder, renumbered);
    this.newSinceLook.add(
      account.id,
      result.newMessages.map((m) => m.id),
    );
    await this.newSinceLook.recount(account.id);
    return { ...result, unread: await this.driver(account).unread(this.deps.db, account) };
  }

  private async runSync(id: string, signal: AbortSignal): Promise<SyncResult> {
    const account = this.account(id);
    if (!account) throw new EngineError('no_account', 'The account no longer exists');
    const onProgress = (done: number, total: number) => this.progress(id, done, total);
    return this.settle(account, await this.run(account, { kind: 'sync', signal, onProgress }));
  }

  private progress(accountId: string, done: number, total: number): void {
    const at = performance.now();
    const last = this.progressSentAt.get(accountId);
    const edge = done === 0 || done >= total;
    if (!edge && last !== undefined && at - last < PROGRESS_INTERVAL_MS) return;
    this.progressSentAt.set(accountId, at);
    this.deps.emit({ biffEvent: 'sync-progress', accountId, done, total });
  }

  private startPush(account: Account): void {
    const id = account.id;
    const push = this.driver(account).push?.({
      context: async () => {
        const current = this.account(id);
        if (!current) throw new EngineError('no_account', 'The account no longer exists');
        return this.context(current);
      },
      onChange: (result) => {
        const current = this.account(id);
        if (!current) return;
        void this.settle(current, result)
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
      // An OAuth account's token refused at a (re)connection: one refresh, as a check does.
      // A refused refresh ends push (the sign-in is gone; see onSignInNeeded above).
      renew: async () => {
        const current = this.account(id);
        if (!current?.auth) return false;
        try {
          await this.tokens.refresh(current);
          return true;
        } catch (error) {
          if (needsSignIn(error)) return false;
          throw error;
        }
      },
    });
    if (!push) return;
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
    const { accounts, totalUnread, locked } = this.status();
    this.deps.persist({
      statuses: this.scheduler
        .statuses()
        .map((s) => ({ ...s, failures: this.scheduler.failures(s.accountId) })),
      newSinceLook: this.newSinceLook.saved(),
    });
    this.deps.emit({ biffEvent: 'status', accounts, totalUnread, locked });
  }
}
