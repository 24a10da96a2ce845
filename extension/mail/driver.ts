/**
 * What the engine needs of each protocol. IMAP and POP3 implement it in their folders
 * (mail/imap/driver.ts, mail/pop3/driver.ts); the engine reaches a protocol only through this
 * interface and the drivers' registry it is given, so each side can change without the other.
 */
import type { Account } from '../accounts.ts';
import type { TransportFactory } from '../relay/transport.ts';
import type { BiffDatabase, MessageUid } from '../store/schema.ts';
import type { SyncContext, SyncResult } from './sync-context.ts';

/** What a protocol's probe learns after logging in. */
export interface ProbeOutcome {
  folders?: Array<{ path: string; specialUse: string | null }>;
  inboxCount: number;
}

/** Logs in with the account's settings and looks at INBOX; throws what the protocol throws. */
export type ProtocolProbe = (
  open: TransportFactory,
  account: Account,
  password: string,
  onLoggedIn: () => void,
) => Promise<ProbeOutcome>;

/** What loading older mail did. */
export interface OlderResult {
  /** Messages stored. */
  loaded: number;
  /** Whether the server has still older messages. */
  more: boolean;
}

/** Most messages one "load older" call takes: a few screens of scrolling, one or two chunks. */
export const MAX_OLDER_BATCH = 1000;

/**
 * A job the engine runs for one account, on the account's push connection when it takes it,
 * else on a connection of its own (Engine.run decides, for every kind).
 * - `sync`: a full check of every watched folder (sending the queued actions first).
 * - `flush`: send the queued actions now.
 * - `body`: download a message's full body into the bodies store.
 * - `older`: extend a folder's cache downward by up to `count` messages.
 */
export type MailJob =
  | { kind: 'sync'; onProgress?: (done: number, total: number) => void; signal?: AbortSignal }
  | { kind: 'flush' }
  | { kind: 'body'; folder: string; uid: MessageUid }
  | { kind: 'older'; folder: string; count: number };

/** What each kind of job resolves with. */
export interface MailJobResults {
  sync: SyncResult;
  flush: undefined;
  body: undefined;
  older: OlderResult;
}

/** What `job` resolves with. */
export type MailJobResult<J extends MailJob> = MailJobResults[J['kind']];

/** What a push connection is doing. */
export type PushState = 'connecting' | 'syncing' | 'idle' | 'waiting' | 'failed' | 'stopped';

/** What a push session reports to, and where it gets its account and password. */
export interface PushOptions {
  /** The account, password and store for each (re)connection; read anew every time. */
  context: () => Promise<SyncContext>;
  /** The result of every sync the push connection runs by itself (a notification, a reconnect). */
  onChange: (result: SyncResult) => void;
  /** Every state change. */
  onState?: (state: PushState) => void;
  /** Failures: a dropped connection, a failed sync. The push goes on unless its state became 'failed'. */
  onError?: (error: unknown) => void;
  /**
   * The server refused the login: new credentials, asked once per refusal (an OAuth account
   * refreshes its access token). True: log in again now; false: there are none, push stops; a
   * rejection: none for now, push retries after its backoff.
   */
  renew?: () => Promise<boolean>;
}

/** A connection held open for one account so the server can announce changes (IMAP IDLE). */
export interface PushSession {
  /** Starts connecting (and reconnecting after drops); idempotent. */
  start(): void;
  /** Logs out and stops reconnecting; resolves once the connection is closed. */
  stop(): Promise<void>;
  /**
   * Runs `job` on the push connection, as its only user: no second TLS handshake and login.
   * Null when push is not connected or its connection failed under the job: the caller then
   * opens a connection of its own. A failure on a working connection (too large, UIDVALIDITY
   * changed, a refused command, a store error) is thrown without the password, as another
   * connection would meet it too; except `flush`, which never throws: whatever was not sent
   * stays queued, and null makes the caller fall back to a sync.
   */
  runJob<J extends MailJob>(job: J): Promise<MailJobResult<J> | null>;
}

/** One protocol, as the engine sees it. */
export interface ProtocolDriver {
  /** One full check of the account over a connection of its own. */
  sync(ctx: SyncContext): Promise<SyncResult>;
  /** The login-and-look stage of "Test connection". */
  probe: ProtocolProbe;
  /** Makes the full body of a message available in the bodies store, over a connection of its own. */
  loadBody(ctx: SyncContext, folder: string, uid: MessageUid): Promise<void>;
  /**
   * Extends `folder`'s cache downward by up to `count` messages, over a connection of its own.
   * Absent where the protocol keeps everything it sees (POP3 downloads every message it
   * lists): there is nothing older on the server to fetch.
   */
  loadOlder?(ctx: SyncContext, folder: string, count: number): Promise<OlderResult>;
  /**
   * The account's unread count as the badge shows it, from what is stored: after a sync, and
   * after a local change (read, unread, delete, undo) before the server has it.
   */
  unread(db: BiffDatabase, account: Account): Promise<number>;
  /** A push session for the account; absent where the protocol has no push (POP3 is polled). */
  push?(options: PushOptions): PushSession;
}
