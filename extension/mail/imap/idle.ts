/**
 * `ImapPush`: push for one account. Holds one connection with IDLE (RFC 2177) on INBOX (or the
 * first watched folder), NOOP polling where the server has no IDLE (imapflow's fallback with
 * `maxIdleTime` as the interval), and on any EXISTS, EXPUNGE or FETCH the server announces runs
 * an incremental sync ON THAT SAME CONNECTION: the sync's first command breaks IDLE (DONE), the
 * new mail is fetched and stored, `onChange` gets the result, and IDLE starts again. No second
 * login, no scheduler hop: the badge follows the server's notification by a few round trips.
 *
 * IDLE is restarted every IDLE_RESTART_MS, under the 29 minutes after which RFC 2177 §3 lets a
 * server drop an idle client. A dropped connection (server, network, relay restart) is
 * re-opened with backoff, and the first thing a new connection does is catch up with a sync.
 * One that stops answering without closing (a hung server, a dropped NAT mapping) is closed by
 * the reply deadline every command has (IMAP_SOCKET_TIMEOUT_MS, client.ts) and re-opened alike.
 * A rejected login is renewed once when the account can renew it (an OAuth access token the
 * server refused, expired or revoked: `renew` refreshes it) and push logs in again at once; a
 * rejected password, a second refusal in a row, or a sign-in that is gone (the refresh itself
 * refused) stops the push: retrying would only risk locking the account.
 */

import { withAccountLock } from '../account-lock.ts';
import type { MailJob, MailJobResult, PushSession, PushState } from '../driver.ts';
import { needsSignIn } from '../oauth/errors.ts';
import { redactSecret } from '../redact.ts';
import type { SyncResult } from '../sync-context.ts';
import { fetchBodyOnSession } from './body.ts';
import { ImapError } from './errors.ts';
import { loadOlderOnSession } from './older.ts';
import { replayPending } from './replay.ts';
import { ImapSession, type SessionContext } from './session.ts';
import { syncOnSession, watchedFolders } from './sync.ts';

/** Restart IDLE this often: below RFC 2177's 29 minutes, with room for a slow network. */
export const IDLE_RESTART_MS = 25 * 60_000;
/** Poll interval with NOOP where the server has no IDLE. */
export const POLL_INTERVAL_MS = 60_000;
/** Waits between reconnect attempts; the last one repeats. */
export const DEFAULT_BACKOFF_MS: readonly number[] = [1_000, 2_000, 5_000, 10_000, 30_000, 60_000];
/**
 * A connection that lived this long resets the backoff: it was a drop, not a failing server. So
 * does one that logged in and caught up (its first sync succeeded), however short it lived.
 */
const STABLE_AFTER_MS = 60_000;

/** Options of ImapPush. */
export interface ImapPushOptions {
  /** The account, password and store for each (re)connection; read anew every time. */
  context: () => SessionContext | Promise<SessionContext>;
  /** The result of every sync run on the push connection (after a notification, after (re)connecting). */
  onChange: (result: SyncResult) => void;
  /** Failures: a dropped connection, a failed sync. The push goes on unless `state` became 'failed'. */
  onError?: (error: unknown) => void;
  /** Every state change. */
  onState?: (state: PushState) => void;
  /** Reconnect waits in ms; default DEFAULT_BACKOFF_MS. */
  backoffMs?: readonly number[];
  /** IDLE restart interval; default IDLE_RESTART_MS. */
  idleRestartMs?: number;
  /** NOOP poll interval without IDLE; default POLL_INTERVAL_MS. */
  pollIntervalMs?: number;
  /** Aborting it stops the push, like `stop()`. */
  signal?: AbortSignal;
  /**
   * The server refused the login: new credentials, asked once per refusal that follows a good
   * login (an OAuth account refreshes its access token). True: they are ready, push logs in
   * again at once. False: there are none (the sign-in is gone), push stops ('failed'), as it
   * does without `renew`. A rejection (offline) is reported and push retries after its backoff.
   */
  renew?: () => Promise<boolean>;
}

function isAuthFailure(error: unknown): boolean {
  return (error as { authenticationFailed?: unknown } | null)?.authenticationFailed === true;
}

/** What push does after its login was refused: log in again at once, back off, or stop. */
type AfterRefusal = 'again' | 'backoff' | 'stop';

/** Push for one IMAP account; see the file comment. */
export class ImapPush implements PushSession {
  private stopped = false;
  private session: ImapSession | null = null;
  private dirty = false;
  /** Something other than new mail was announced (or nothing is known): the next sync looks at everything. */
  private dirtyAll = true;
  private busy = 0;
  private wake: (() => void) | null = null;
  private loop: Promise<void> | null = null;
  private currentState: PushState = 'stopped';
  /** `renew` was asked since the last good login: a second refusal stops the push. */
  private renewed = false;
  private readonly backoff: readonly number[];
  /** The current connection logged in and its catch-up sync succeeded. */
  private caughtUp = false;

  constructor(private readonly options: ImapPushOptions) {
    this.backoff = options.backoffMs?.length ? options.backoffMs : DEFAULT_BACKOFF_MS;
    options.signal?.addEventListener('abort', () => void this.stop(), { once: true });
  }

  get state(): PushState {
    return this.currentState;
  }

  /** Whether a logged-in push connection is up right now. */
  get connected(): boolean {
    return this.session?.client.usable === true;
  }

  /** Starts connecting; idempotent. */
  start(): void {
    if (this.loop || this.stopped || this.options.signal?.aborted) return;
    this.loop = this.runLoop();
  }

  /** Logs out and stops reconnecting; resolves once the connection is closed. */
  async stop(): Promise<void> {
    if (this.stopped) return this.loop ?? undefined;
    this.stopped = true;
    this.poke();
    const session = this.session;
    if (session) await session.close();
    await this.loop;
    this.setState('stopped');
  }

  /**
   * Sends queued actions now, over the push connection, then syncs so the cache shows what the
   * server made of them. False when not connected or when sending failed (the actions stay
   * queued): the caller then runs a sync. Never rejects.
   */
  async flushPending(): Promise<boolean> {
    const session = this.session;
    if (!session || !this.connected || this.stopped) return false;
    try {
      await this.exclusive(async () => {
        await replayPending(session);
      });
    } catch (error) {
      // Whatever was not sent stays queued; false makes the caller fall back to a sync.
      this.options.onError?.(redactSecret(error, session.ctx.password, session.ctx.account.username));
      return false;
    } finally {
      this.dirty = true;
      this.dirtyAll = true;
      this.poke();
    }
    return true;
  }

  /**
   * Runs `job` on the push connection (e.g. `fetchBodyOnSession` when the user opens a message:
   * no second login), as the only user of the connection and the account's folder state. Null
   * when not connected: the caller opens a connection of its own.
   */
  async run<T>(job: (session: ImapSession) => Promise<T>): Promise<T | null> {
    const session = this.session;
    if (!session || !this.connected || this.stopped) return null;
    return this.exclusive(() => job(session));
  }

  /**
   * Runs one of the engine's jobs on the push connection (PushSession): the connection that is
   * already logged in answers without a second TLS handshake and login (on the benchmark's
   * server those are most of a sync that finds nothing new, and of opening a message). Null when
   * push is not connected or the connection failed under the job: the caller then opens a
   * connection of its own. The job's own refusals on a working connection (too large,
   * UIDVALIDITY changed, no such message, a refused command, a store error) are thrown, as
   * another connection would meet them too. A flush never throws (see `flushPending`).
   */
  async runJob<J extends MailJob>(job: J): Promise<MailJobResult<J> | null> {
    return (await this.onConnection(job)) as MailJobResult<J> | null;
  }

  private async onConnection(job: MailJob): Promise<MailJobResult<MailJob> | null> {
    switch (job.kind) {
      case 'sync':
        // Every watched folder, as `syncImapAccount` does on a connection of its own.
        return this.attempt((session) => {
          const view = session.withContext({ onProgress: job.onProgress, signal: job.signal });
          return syncOnSession(view, watchedFolders(view.ctx));
        });
      case 'flush':
        return (await this.flushPending()) ? undefined : null;
      case 'body': {
        const { folder, uid } = job;
        // A uid that is not a number is refused by the driver's own connection.
        if (typeof uid !== 'number') return null;
        const stored = await this.attempt((session) => fetchBodyOnSession(session, folder, uid));
        return stored === null ? null : undefined;
      }
      case 'older':
        return this.attempt((session) => loadOlderOnSession(session, job.folder, job.count));
    }
  }

  /**
   * Runs a job that could as well open a connection of its own on the push connection instead.
   * Null when push is not connected or its connection failed under the job: the caller then
   * opens its own. A failure on a working connection (too large, UIDVALIDITY changed, a refused
   * command, a store error) is thrown, without the password, as that connection would meet it too.
   */
  private async attempt<T>(job: (session: ImapSession) => Promise<T>): Promise<T | null> {
    try {
      return await this.run(job);
    } catch (error) {
      const session = this.session;
      if (!session?.client.usable) return null;
      throw redactSecret(error, session.ctx.password, session.ctx.account.username);
    }
  }

  private setState(state: PushState): void {
    if (this.currentState === state) return;
    this.currentState = state;
    this.options.onState?.(state);
  }

  private poke(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  /** Runs `job` as the only user of the connection and of the account's folder state. */
  private async exclusive<T>(job: () => Promise<T>): Promise<T> {
    this.busy++;
    try {
      const session = this.session;
      return await withAccountLock(session?.accountId ?? '', job);
    } finally {
      this.busy--;
      this.poke();
    }
  }

  private async runLoop(): Promise<void> {
    let attempt = 0;
    while (!this.stopped) {
      const started = Date.now();
      this.caughtUp = false;
      try {
        await this.connection();
      } catch (error) {
        if (this.stopped) break;
        this.options.onError?.(error);
        // The account's sign-in is gone (its refresh was refused): no login can succeed until
        // the user signs in again, which starts a new push.
        if (needsSignIn(error)) {
          this.setState('failed');
          return;
        }
        if (isAuthFailure(error)) {
          const next = await this.afterRefusal();
          if (next === 'stop') {
            if (!this.stopped) this.setState('failed');
            return;
          }
          if (next === 'again') continue;
        }
      }
      if (this.stopped) break;
      // A connection that got as far as catching up proves the server and the way there work:
      // its drop (a relay restart, a reset, a worker-side close) is met with the first, short
      // wait, not with the waits meant for a server that keeps failing. Counting it as one
      // more failure left push waiting 30 s and then 60 s after a few drops in a row (the
      // soak: a relay kill, then a Dovecot restart, then mail not caught up before the next
      // fault), while a check would have found it at once.
      if (this.caughtUp || Date.now() - started >= STABLE_AFTER_MS) attempt = 0;
      const delay = this.backoff[Math.min(attempt, this.backoff.length - 1)] ?? 1_000;
      attempt++;
      this.setState('waiting');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** The login was refused: renew the credentials once (see `renew`), or stop. */
  private async afterRefusal(): Promise<AfterRefusal> {
    const renew = this.options.renew;
    if (!renew || this.renewed) return 'stop';
    this.renewed = true;
    try {
      return (await renew()) && !this.stopped ? 'again' : 'stop';
    } catch (error) {
      // Not renewed (offline, a server hiccup): asked again at the next refusal, after the backoff.
      this.renewed = false;
      this.options.onError?.(error);
      return 'backoff';
    }
  }

  /** One connection's life: connect, catch up, idle and sync until it closes. Errors carry no password. */
  private async connection(): Promise<void> {
    this.setState('connecting');
    const ctx = await this.options.context();
    try {
      await this.live(ctx);
    } catch (error) {
      throw redactSecret(error, ctx.password, ctx.account.username);
    }
  }

  private async live(ctx: SessionContext): Promise<void> {
    const session = await ImapSession.open(ctx);
    const { client } = session;
    // Logged in: the next refusal may be renewed again (a token expires every hour or so).
    this.renewed = false;
    if (this.stopped) {
      await session.close();
      return;
    }
    this.session = session;
    const folders = watchedFolders(ctx);
    const pushFolder = folders.includes('INBOX') ? 'INBOX' : folders[0]!;
    client.maxIdleTime = session.caps.idle
      ? (this.options.idleRestartMs ?? IDLE_RESTART_MS)
      : (this.options.pollIntervalMs ?? POLL_INTERVAL_MS);
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    void closed.then(() => this.poke());
    const arrived = () => {
      this.dirty = true;
      this.poke();
    };
    const changed = (event: { earlier?: boolean }) => {
      // VANISHED (EARLIER) answers our own CHANGEDSINCE fetch: nothing new.
      if (event.earlier) return;
      this.dirtyAll = true;
      arrived();
    };
    client.on('exists', arrived);
    client.on('expunge', changed);
    client.on('flags', changed);
    try {
      // Whatever happened while we were away is caught up first, in full.
      this.dirty = true;
      this.dirtyAll = true;
      let idling: Promise<unknown> = Promise.resolve();
      while (!this.stopped && client.usable) {
        if (this.busy > 0) {
          await this.sleepUntilPoked();
          continue;
        }
        if (this.dirty) {
          this.dirty = false;
          const newMailOnly = !this.dirtyAll;
          this.dirtyAll = false;
          this.setState('syncing');
          await this.exclusive(async () => {
            const result = await syncOnSession(session, [pushFolder], { newMailOnly });
            this.caughtUp = true;
            if (client.mailbox === false || client.mailbox.path !== pushFolder) {
              await client.mailboxOpen(pushFolder);
              // Mail that reached the folder between the sync's STATUS and this SELECT is
              // counted by the SELECT, with no EXISTS event to say so (an integration test
              // lost such a message for good): a quick look for new mail before idling.
              this.dirty = true;
            }
            this.options.onChange(result);
          }).catch((error: unknown) => {
            if (newMailOnly) this.dirtyAll = true;
            if (!client.usable) throw error;
            // A failed sync on a working connection (a refused command, a store error) is
            // reported; the connection goes on and the next notification tries again.
            this.options.onError?.(redactSecret(error, ctx.password, ctx.account.username));
          });
          continue;
        }
        await idling;
        if (this.dirty || this.busy > 0 || this.stopped || !client.usable) continue;
        if (client.mailbox === false || client.mailbox.path !== pushFolder) {
          // Another job (a sync of every folder, a body from another folder) selected elsewhere:
          // mail that reached this folder meanwhile is counted by SELECT, with no EXISTS event
          // to say so. A quick look for new mail first, then idle.
          await client.mailboxOpen(pushFolder);
          this.dirty = true;
          continue;
        }
        this.setState('idle');
        // Resolves when IDLE ends: broken by the next command (a sync, a flush, LOGOUT) or the connection closing.
        idling = client.idle().catch(() => undefined);
        await Promise.race([idling, this.sleepUntilPoked()]);
      }
      if (!this.stopped) throw new ImapError('connection_lost', 'The push connection closed');
    } finally {
      client.off('exists', arrived);
      client.off('expunge', changed);
      client.off('flags', changed);
      if (this.session === session) this.session = null;
      if (client.usable) await session.close();
    }
  }

  private sleepUntilPoked(): Promise<void> {
    return new Promise<void>((resolve) => {
      const previous = this.wake;
      this.wake = () => {
        previous?.();
        resolve();
      };
    });
  }
}
