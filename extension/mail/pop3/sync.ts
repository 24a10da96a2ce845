/**
 * `syncPop3Account`: one POP3 session per check (RFC 1939). POP3 is a pick-up box: the server
 * keeps mail until told to delete it, and what is read or deleted here lives only in our store,
 * so the one unforgivable bug is a DELE of mail we do not hold. The order of a session:
 *
 * 1. Connect, STLS when the account says so, log in (connect.ts).
 * 2. UIDL and LIST. New mail is every unique-id the store has never seen (`knownUidls`), never
 *    "the count went up". Unique-ids the server no longer lists are marked removed.
 * 3. Download the new ones: RETR pipelined, or TOP n 0 for those above the account's threshold.
 *    Each message, its body and its unique-id are stored in ONE transaction, with the others of
 *    its batch (`storeDownloadedBatch`, `BatchStore`), so a crash, a dropped connection or a
 *    stopped worker leaves each message either wholly stored (and its unique-id recorded: never
 *    fetched twice) or not at all (fetched next time).
 * 4. Decide deletions from committed rows only (`dueForServerDeletion`: a message with no full
 *    source here is never chosen), mark them `dele-pending` durably, send DELE, then QUIT. The
 *    server removes them only when it answers QUIT with +OK (RFC 1939 §6, UPDATE state); only
 *    then are they marked removed. A session that dies before that deletes nothing on the
 *    server, and the `dele-pending` rows are deleted again by the next session; one whose QUIT
 *    reply is lost after the server committed is put right by the next session's UIDL listing.
 *
 * `ctx.signal` is honoured between messages and before each phase, never between a commit and
 * its bookkeeping. Notifications: see `toAnnounce` (plan.ts) for the first sync.
 */

import { StoreError } from '../../store/errors.ts';
import { FoldersRepo } from '../../store/folders-repo.ts';
import { MessagesRepo } from '../../store/messages-repo.ts';
import { type Pop3Download, Pop3Repo } from '../../store/pop3-repo.ts';
import { type MessageRow, POP3_FOLDER } from '../../store/schema.ts';
import { withAccountLock } from '../account-lock.ts';
import { MAX_HEADER_BYTES, MAX_MESSAGE_BYTES } from '../mime/parse.ts';
import type { SyncContext, SyncResult } from '../sync-context.ts';
import { openPop3Session, withoutSecret } from './connect.ts';
import { fullDownload, headersDownload, sizeOnlyDownload } from './download.ts';
import { Pop3Error } from './errors.ts';
import {
  batchBySize,
  indexMaildrop,
  type MaildropEntry,
  planDownloads,
  RETR_BATCH_BYTES,
  toAnnounce,
} from './plan.ts';
import type { Pop3Session, Pop3SessionOptions } from './session.ts';

/**
 * Largest message downloaded whole, by a sync or on opening: the MIME parser's own limit (it
 * holds about three times the message in memory while parsing). Larger messages are listed from
 * their headers and stay on the server.
 */
export const POP3_MAX_MESSAGE_BYTES = MAX_MESSAGE_BYTES;

/**
 * Largest reply to TOP n 0 accepted: the header block the MIME parser reads at most, plus room
 * for the blank line and a server that sends a line of body anyway. Anything bigger is not a
 * header block but an attack or a broken server.
 */
export const TOP_MAX_BYTES = MAX_HEADER_BYTES + 64 * 1024;

/** Options of a sync beyond the context; tests lower the limits. */
export interface Pop3SyncOptions {
  /** Largest message downloaded whole (bytes, 1..POP3_MAX_MESSAGE_BYTES); default POP3_MAX_MESSAGE_BYTES. */
  maxMessageBytes?: number;
  /** Timeouts of the POP3 session. */
  session?: Pop3SessionOptions;
}

/** Validates a download cap: a positive integer no larger than the parser accepts. */
export function messageCap(value: number | undefined): number {
  if (value === undefined) return POP3_MAX_MESSAGE_BYTES;
  if (!Number.isSafeInteger(value) || value < 1 || value > POP3_MAX_MESSAGE_BYTES) {
    throw new RangeError(`maxMessageBytes must be an integer from 1 to ${POP3_MAX_MESSAGE_BYTES}`);
  }
  return value;
}

function checkThreshold(value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError('pop3.headersOnlyAboveBytes must be a non-negative integer');
  }
  return value;
}

/** Checks an account's POP3 mailbox once: downloads new mail, applies deletions. */
export async function syncPop3Account(ctx: SyncContext, options: Pop3SyncOptions = {}): Promise<SyncResult> {
  const cap = messageCap(options.maxMessageBytes);
  const threshold = checkThreshold(ctx.account.pop3.headersOnlyAboveBytes);
  return withAccountLock(ctx.account.id, () =>
    withoutSecret(ctx.account, ctx.password, async () => {
      ctx.signal?.throwIfAborted();
      const session = await openPop3Session(
        ctx.open,
        ctx.account,
        ctx.password,
        options.session ? { session: options.session } : {},
      );
      try {
        return await syncOnSession(ctx, session, { cap, threshold });
      } finally {
        // After QUIT this does nothing; after a failure it drops the connection without QUIT, so
        // nothing marked deleted in this session is removed (RFC 1939 §6).
        session.close();
      }
    }),
  );
}

/** The steps after login, on a session the caller closes. */
async function syncOnSession(
  ctx: SyncContext,
  session: Pop3Session,
  limits: { cap: number; threshold: number },
): Promise<SyncResult> {
  const accountId = ctx.account.id;
  const pop3 = new Pop3Repo(ctx.db);
  const folders = new FoldersRepo(ctx.db);
  const messages = new MessagesRepo(ctx.db);

  // Both are asked at once (pipelined when the server allows); UIDL without support is
  // `unsupported`, "server unsupported: no UIDL": without unique-ids nothing can be synced safely.
  const [uidl, list] = await Promise.all([session.uidl(), session.list()]);
  const maildrop = indexMaildrop(uidl, list);
  const byNumber = new Map([...maildrop.values()].map((entry) => [entry.n, entry]));

  const [folder, known] = await Promise.all([
    folders.get(accountId, POP3_FOLDER),
    pop3.knownUidls(accountId),
  ]);
  const initial = !folder || folder.lastSync === null;
  ctx.signal?.throwIfAborted();
  // Mail removed by another client, or by our QUIT whose +OK never arrived.
  await pop3.reconcileServerList(accountId, maildrop.keys());

  const plan = planDownloads(maildrop, known, {
    headersOnlyAboveBytes: limits.threshold,
    maxMessageBytes: limits.cap,
  });
  const total = plan.full.length + plan.headersOnly.length;
  if (total > 0) ctx.onProgress?.(0, total);
  const store = new BatchStore(pop3, accountId, ctx, total);
  try {
    for (const batch of batchBySize(plan.full, RETR_BATCH_BYTES, limits.cap)) {
      await session.retrMany(
        batch.map((entry) => entry.n),
        async (n, raw) => {
          ctx.signal?.throwIfAborted();
          const entry = byNumber.get(n)!;
          await store.add(await fullDownload(entry.uid, entry.size, raw, ctx.now()));
        },
        { maxBytes: limits.cap },
      );
    }
    for (const entry of plan.headersOnly) {
      ctx.signal?.throwIfAborted();
      await store.add(await fetchHeadersFirst(session, entry, limits.cap, ctx.now()));
    }
    await store.flush();
  } catch (error) {
    // Messages received whole before the failure are kept, as if stored one by one.
    await store.flush().catch(() => {});
    throw error;
  } finally {
    // A failed download must not leave a write running unobserved.
    await store.settled();
  }
  const stored = store.stored;

  ctx.signal?.throwIfAborted();
  const unreadAfterDownload = await messages.countUnread(accountId);
  await folders.put({
    accountId,
    path: POP3_FOLDER,
    uidValidity: null,
    uidNext: null,
    highestModseq: null,
    messages: maildrop.size,
    unseen: unreadAfterDownload,
    specialUse: null,
    lastSync: ctx.now(),
  });

  await deleteFromServer(ctx, session, pop3, maildrop);

  return {
    newMessages: toAnnounce(stored, { initial, knownBefore: known.size }),
    unread: await messages.countUnread(accountId),
  };
}

/**
 * Messages stored per transaction, and raw bytes: a commit per message was most of the cost of
 * storing mail in Chromium (BENCHMARKS.md, pop3-download), while a batch still stores each
 * message wholly or not at all. The bytes bound what waits in memory: a batch being filled and
 * one being written, each holding its messages' source and parsed parts.
 */
export const STORE_BATCH_MESSAGES = 50;
export const STORE_BATCH_BYTES = 4 * 1024 * 1024;

/**
 * Downloads stored in batches, one transaction being written while the next batch fills (the
 * network and the parser keep going meanwhile). Progress counts messages as they are received
 * whole; `stored` is updated right after each commit, with no await in between. A sync that
 * fails or is aborted flushes what it received whole first (see syncOnSession).
 */
class BatchStore {
  readonly stored: MessageRow[] = [];
  private pending: Pop3Download[] = [];
  private pendingBytes = 0;
  private writing: Promise<void> = Promise.resolve();
  private done = 0;

  constructor(
    private readonly pop3: Pop3Repo,
    private readonly accountId: string,
    private readonly ctx: SyncContext,
    private readonly total: number,
  ) {}

  /** Queues a download; starts writing the batch when it is full. */
  async add(download: Pop3Download): Promise<void> {
    this.pending.push(download);
    this.pendingBytes += download.body?.raw?.byteLength ?? 0;
    this.ctx.onProgress?.(++this.done, this.total);
    if (this.pending.length >= STORE_BATCH_MESSAGES || this.pendingBytes >= STORE_BATCH_BYTES)
      await this.flush();
  }

  /** Starts writing what is queued once the previous write is committed; rejects with a failed write. */
  async flush(): Promise<void> {
    await this.writing;
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    this.writing = storeBatch(this.pop3, this.accountId, batch, this.ctx.now()).then((rows) => {
      for (const row of rows) if (row) this.stored.push(row);
    });
    // Observed here too, so a failure never goes unhandled; flush/settled report it.
    this.writing.catch(() => {});
  }

  /** Waits for the write in flight, whatever its outcome. */
  async settled(): Promise<void> {
    await this.writing.catch(() => {});
  }
}

/**
 * Stores a batch in one transaction. When one of its unique-ids was stored meanwhile (a
 * `conflict` aborts the whole transaction), the messages are stored one by one instead, and the
 * known ones are skipped (null).
 */
async function storeBatch(
  pop3: Pop3Repo,
  accountId: string,
  batch: readonly Pop3Download[],
  now: number,
): Promise<Array<MessageRow | null>> {
  try {
    return await pop3.storeDownloadedBatch(accountId, batch, now);
  } catch (error) {
    if (!(error instanceof StoreError && error.code === 'conflict')) throw error;
  }
  const rows: Array<MessageRow | null> = [];
  for (const download of batch) rows.push(await storeOnce(pop3, accountId, download, now));
  return rows;
}

/**
 * Stores one download; null when its unique-id was stored meanwhile (a `conflict`: nothing was
 * written, and the message is already here).
 */
async function storeOnce(
  pop3: Pop3Repo,
  accountId: string,
  download: Pop3Download,
  now: number,
): Promise<MessageRow | null> {
  try {
    return await pop3.storeDownloaded(accountId, download, now);
  } catch (error) {
    if (error instanceof StoreError && error.code === 'conflict') return null;
    throw error;
  }
}

/**
 * Headers of a large message with TOP n 0. A server without TOP (CAPA says so, or it answers
 * -ERR) gets RETR when the message is within the cap, else the message is listed by size only.
 */
async function fetchHeadersFirst(
  session: Pop3Session,
  entry: MaildropEntry,
  cap: number,
  now: number,
): Promise<Pop3Download> {
  const size = entry.size ?? 0;
  try {
    const header = await session.top(entry.n, 0, { maxBytes: TOP_MAX_BYTES });
    return await headersDownload(entry.uid, size, header, now);
  } catch (error) {
    if (!(error instanceof Pop3Error) || (error.code !== 'unsupported' && error.code !== 'rejected')) {
      throw error;
    }
  }
  if (size <= cap) return fullDownload(entry.uid, size, await session.retr(entry.n, { maxBytes: cap }), now);
  return sizeOnlyDownload(entry.uid, size, now);
}

/**
 * DELE what the account's settings say should go, then QUIT. Only rows committed before this
 * point are considered, and `markDeletePending` is written before the first DELE is sent. A
 * DELE the server refuses (-ERR) leaves its row `dele-pending` for the next session; a QUIT
 * that does not answer +OK leaves all of them so, and fails the sync. With nothing to delete,
 * QUIT is a courtesy whose failure changes nothing.
 */
async function deleteFromServer(
  ctx: SyncContext,
  session: Pop3Session,
  pop3: Pop3Repo,
  maildrop: ReadonlyMap<string, MaildropEntry>,
): Promise<void> {
  const accountId = ctx.account.id;
  const { leaveCopy, deleteAfterDays, deleteWhenDeletedHere } = ctx.account.pop3;
  const due = (
    await pop3.dueForServerDeletion(accountId, {
      leaveCopy,
      deleteAfterDays,
      deleteWhenDeletedHere,
      now: ctx.now(),
    })
  ).filter((uid) => maildrop.has(uid));
  if (due.length === 0) {
    await session.quit().catch(() => {});
    return;
  }
  ctx.signal?.throwIfAborted();
  await pop3.markDeletePending(accountId, due);
  // One DELE per message, pipelined by the session; each -ERR fails only its own message.
  const outcomes = await Promise.allSettled(due.map((uid) => session.dele(maildrop.get(uid)!.n)));
  const accepted = due.filter((_, i) => outcomes[i]!.status === 'fulfilled');
  await session.quit();
  // The server's +OK to QUIT is its word that the accepted DELEs are done (RFC 1939 §6).
  if (accepted.length > 0) await pop3.markRemovedFromServer(accountId, accepted);
}
