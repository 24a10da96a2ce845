/**
 * One logged-in IMAP connection of one account, with the repositories and what the server can
 * do. Sync, replay, body downloads and the push connection all work through a session.
 */
import type { ImapFlow, ListResponse, StatusObject } from 'imapflow';
import { BodiesRepo } from '../../store/bodies-repo.ts';
import { FoldersRepo } from '../../store/folders-repo.ts';
import { MessagesRepo } from '../../store/messages-repo.ts';
import { PendingRepo } from '../../store/pending-repo.ts';
import { redactSecret } from '../redact.ts';
import type { SyncContext } from '../sync-context.ts';
import { targetOf } from '../target.ts';
import { createImapClient } from './client.ts';
import { ImapError } from './errors.ts';

/** What a session needs of the sync context. */
export type SessionContext = Pick<
  SyncContext,
  'db' | 'account' | 'password' | 'open' | 'now' | 'signal' | 'onProgress' | 'held'
>;

/** Server features the sync relies on, as negotiated for this session. */
export interface ImapCaps {
  /** CONDSTORE is enabled and the account allows it: MODSEQ and CHANGEDSINCE (RFC 7162 §3.1). */
  condstore: boolean;
  /** QRESYNC is enabled: CHANGEDSINCE ... VANISHED reports expunges (RFC 7162 §3.2). */
  qresync: boolean;
  /** UID EXPUNGE (RFC 4315 §2.1), which removes only the given messages. */
  uidplus: boolean;
  /** UID MOVE (RFC 6851). */
  move: boolean;
  /** IDLE (RFC 2177). */
  idle: boolean;
  /** FETCH PREVIEW (RFC 8970): the server makes the list's previews. */
  preview: boolean;
}

/** A server that does not answer LOGOUT within this is not waited for: the connection is closed. */
export const LOGOUT_TIMEOUT_MS = 5_000;

/** Special-use attributes (RFC 6154 §2) a delete or a notification cares about. */
export type SpecialUse = '\\Trash' | '\\Junk' | string;

export class ImapSession {
  readonly messages: MessagesRepo;
  readonly folders: FoldersRepo;
  readonly pending: PendingRepo;
  readonly bodies: BodiesRepo;
  private listing: Promise<ListResponse[]> | null = null;

  private constructor(
    readonly client: ImapFlow,
    readonly ctx: SessionContext,
  ) {
    this.messages = new MessagesRepo(ctx.db);
    this.folders = new FoldersRepo(ctx.db);
    this.pending = new PendingRepo(ctx.db);
    this.bodies = new BodiesRepo(ctx.db);
  }

  /**
   * Connects and logs in (imapflow picks AUTH=PLAIN with SASL-IR, else LOGIN). Errors keep
   * imapflow's `code`/`authenticationFailed`/`responseStatus` (or the relay's TransportError
   * code) and never carry the password.
   */
  static async open(ctx: SessionContext): Promise<ImapSession> {
    const { account, password } = ctx;
    const client = createImapClient(
      ctx.open,
      targetOf(account),
      { user: account.username, pass: password },
      { qresync: account.imap.useQresync },
    );
    // An 'error' event nobody listens to would be thrown by EventEmitter; the failure also
    // rejects the pending command or closes the connection, which is where it is handled.
    client.on('error', () => {});
    try {
      await client.connect();
    } catch (error) {
      client.close();
      throw redactSecret(error, password, account.username);
    }
    return new ImapSession(client, ctx);
  }

  get accountId(): string {
    return this.ctx.account.id;
  }

  /**
   * The same connection under another job's progress callback and abort signal: a sync run on
   * the push connection reports and stops as a sync on a connection of its own would.
   */
  withContext(extra: Pick<SessionContext, 'onProgress' | 'signal'>): ImapSession {
    return new ImapSession(this.client, { ...this.ctx, ...extra });
  }

  get caps(): ImapCaps {
    const c = this.client;
    const allowed = this.ctx.account.imap.useQresync;
    return {
      condstore: allowed && c.enabled.has('CONDSTORE'),
      qresync: allowed && c.enabled.has('QRESYNC'),
      uidplus: c.capabilities.has('UIDPLUS'),
      move: c.capabilities.has('MOVE'),
      idle: c.capabilities.has('IDLE'),
      preview: c.capabilities.has('PREVIEW'),
    };
  }

  /** Throws `aborted` when the caller aborted: called only between units of work. */
  checkAborted(): void {
    if (this.ctx.signal?.aborted) throw new ImapError('aborted', 'The sync was aborted');
  }

  /** LIST (with special-use attributes), once per session. */
  mailboxes(): Promise<ListResponse[]> {
    this.listing ??= this.client.list();
    this.listing.catch(() => {
      this.listing = null;
    });
    return this.listing;
  }

  /**
   * The mailbox with `use` (RFC 6154): the server's SPECIAL-USE attribute first, else imapflow's
   * match on well-known names for servers without SPECIAL-USE. Null when there is none.
   */
  async specialFolder(use: SpecialUse): Promise<string | null> {
    const list = await this.mailboxes();
    const byExtension = list.find((m) => m.specialUse === use && m.specialUseSource !== 'name');
    return (byExtension ?? list.find((m) => m.specialUse === use))?.path ?? null;
  }

  /** The special-use attribute of `path`, or null. */
  async specialUseOf(path: string): Promise<string | null> {
    const list = await this.mailboxes();
    return list.find((m) => m.path === path)?.specialUse ?? null;
  }

  /**
   * STATUS with everything a sync decides on. imapflow answers a failed STATUS with `false`;
   * this turns that into an error, and keeps imapflow's `NotFound` for a missing mailbox.
   */
  async status(path: string): Promise<StatusObject> {
    const status = await this.client.status(path, {
      messages: true,
      uidNext: true,
      uidValidity: true,
      unseen: true,
      highestModseq: this.caps.condstore,
    });
    return this.orThrow(status, `STATUS ${path}`);
  }

  /** imapflow reports some failures as `false`: a dropped connection or a NO/BAD. Tells which. */
  orThrow<T>(result: T | false | undefined, what: string): T {
    if (result !== false && result !== undefined) return result;
    if (!this.client.usable) throw new ImapError('connection_lost', `The connection dropped during ${what}`);
    throw new ImapError('command_failed', `The server refused ${what}`);
  }

  /** Logs out, closing the connection anyway if LOGOUT fails or takes longer than LOGOUT_TIMEOUT_MS. */
  async close(): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), LOGOUT_TIMEOUT_MS);
    });
    try {
      if ((await Promise.race([this.client.logout(), late])) === 'late') this.client.close();
    } catch {
      this.client.close();
    } finally {
      clearTimeout(timer);
    }
  }
}
