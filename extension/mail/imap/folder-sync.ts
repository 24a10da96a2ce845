/**
 * Synchronising one folder's cache with the server. The order of writes is what makes an
 * interrupted sync harmless: message rows first (puts keyed by UID, so a repeat never
 * duplicates), the folder row (UIDNEXT, HIGHESTMODSEQ) last, so a sync cut short is simply
 * done again from the old bookmarks by the next one.
 *
 * - Initial (no folder row, or one whose initial sync never finished, `uidNext === null`): the
 *   newest `syncWindow` messages by sequence number, newest chunk first.
 * - UIDVALIDITY changed (RFC 3501 §2.3.1.1): the folder's cache (rows, bodies, queued actions)
 *   is dropped and rebuilt as an initial sync. The identities (identity.ts) of the dropped
 *   messages are kept in the folder row (`knownBefore`) in the same transaction, and when the
 *   rebuild finishes it announces the unread messages it stored whose identity was not known
 *   (here or in another folder of the account): mail that arrived around the change is not
 *   missed, and mail that was only renumbered is not announced again. A rebuild cut short
 *   announces nothing and keeps `knownBefore`, so the one that finishes it announces each new
 *   message once.
 * - Incremental: STATUS first; when UIDNEXT, MESSAGES and HIGHESTMODSEQ are all unchanged
 *   nothing changed and the folder is not even selected. Otherwise, with CONDSTORE, one
 *   `UID FETCH <cached> (FLAGS) (CHANGEDSINCE m VANISHED)` (RFC 7162 §3.1.4.1, §3.2.6) gives
 *   flag changes and, with QRESYNC, expunges; without QRESYNC a UID SEARCH finds expunges;
 *   without CONDSTORE a FLAGS sweep over the cached range gives both (a UID FETCH answers
 *   exactly for the UIDs that still exist, RFC 3501 §6.4.8). New mail is what lies at or above
 *   the stored UIDNEXT (STATUS/SELECT UIDNEXT says how many UIDs to look at; a UID SEARCH
 *   lists them when there are many), never inferred from a message count.
 * - UNSEEN comes from the first STATUS, asked again at the end only if the server announced a
 *   change while the folder was being synchronised.
 */
import type { StatusObject } from 'imapflow';
import { messageId } from '../../store/keys.ts';
import { toRow } from '../../store/message-row.ts';
import type { FolderRow, MessageKey, MessageRow } from '../../store/schema.ts';
import { ImapError } from './errors.ts';
import { fetchAndStoreSummaries, SUMMARY_CHUNK } from './fetch-summaries.ts';
import { identityOf } from './identity.ts';
import type { Progress } from './progress.ts';
import type { ImapSession } from './session.ts';
import {
  dropFolderForRebuild,
  folderRows,
  identitiesElsewhere,
  identitiesOf,
  lowestStoredUid,
  rememberGone,
  storedFlags,
  storedUidsFrom,
} from './store-helpers.ts';
import { flagsOf, type ImapFlags } from './summary.ts';

/** What one folder's sync reports. */
export interface FolderOutcome {
  path: string;
  /**
   * Unread messages that arrived since the previous sync and that the account did not know by
   * another UID (never on an initial sync; on a rebuild, those not known before it).
   */
  newMessages: MessageRow[];
  /** STATUS UNSEEN after the sync. */
  unseen: number;
  /** Set when a rebuild after a UIDVALIDITY change finished: old id to new id of unread mail found again. */
  renumbered?: Array<[from: string, to: string]>;
}

/** How a folder sync may cut corners. */
export interface FolderSyncOptions {
  /**
   * The server announced only new mail (EXISTS, no EXPUNGE or FETCH) on the push connection:
   * skip looking for flag changes and expunges, leaving the HIGHESTMODSEQ bookmark where it
   * was so the next full sync still sees them.
   */
  newMailOnly?: boolean;
}

/** Mail landing in these folders (RFC 6154) is not announced. */
const QUIET_FOLDERS: ReadonlySet<string> = new Set(['\\Junk', '\\Trash']);

function isMissingMailbox(error: unknown): boolean {
  const e = error as { code?: unknown; mailboxMissing?: unknown };
  return e?.code === 'NotFound' || e?.mailboxMissing === true;
}

function maxUid(uids: readonly number[]): number {
  let max = 0;
  for (const uid of uids) if (uid > max) max = uid;
  return max;
}

function uidList(session: ImapSession, found: number[] | false | undefined, what: string): number[] {
  return session.orThrow(found, what);
}

/** Synchronises `path`; see the file comment for the cases. */
export async function syncFolder(
  session: ImapSession,
  path: string,
  progress: Progress,
  options: FolderSyncOptions = {},
): Promise<FolderOutcome> {
  session.checkAborted();
  const accountId = session.accountId;
  // Both at once: on the push connection the STATUS is also what breaks IDLE.
  const stored = session.folders.get(accountId, path);
  let status: StatusObject;
  let row: FolderRow | undefined;
  try {
    [status, row] = await Promise.all([session.status(path), stored]);
  } catch (error) {
    row = await stored;
    if (!isMissingMailbox(error)) throw error;
    // The folder is gone from the server, and with it everything cached of it. What it held is
    // remembered, should another client make it again (a new UIDVALIDITY): see dropFolderForRebuild.
    if (row) await dropFolderForRebuild(session.ctx.db, accountId, path, { folderGone: true });
    return { path, newMessages: [], unseen: 0 };
  }
  // A STATUS without UIDVALIDITY proves nothing; the SELECT below checks it again in any case.
  const uidValidity = status.uidValidity === undefined ? null : Number(status.uidValidity);
  if (row && row.uidValidity !== null && uidValidity !== null && row.uidValidity !== uidValidity) {
    return rebuild(session, path, progress);
  }
  if (!row || row.uidNext === null) return initialSync(session, path, row ?? null, progress);
  if (unchanged(session, row, status)) {
    const unseen = status.unseen ?? row.unseen;
    const messages = status.messages ?? row.messages;
    await session.folders.put({ ...row, unseen, messages, lastSync: session.ctx.now() });
    return { path, newMessages: [], unseen };
  }
  return incrementalSync(session, path, row, status, progress, options);
}

/** The folder's UIDVALIDITY changed: drop its cache, remembering what it held, and sync it anew. */
async function rebuild(session: ImapSession, path: string, progress: Progress): Promise<FolderOutcome> {
  await dropFolderForRebuild(session.ctx.db, session.accountId, path);
  const row = await session.folders.get(session.accountId, path);
  return initialSync(session, path, row ?? null, progress);
}

/** True when STATUS proves nothing changed since `row` was written (needs HIGHESTMODSEQ for flags). */
function unchanged(session: ImapSession, row: FolderRow, status: StatusObject): boolean {
  if (!session.caps.condstore || row.highestModseq === null || status.highestModseq === undefined)
    return false;
  return (
    status.uidNext === row.uidNext &&
    status.messages === row.messages &&
    status.highestModseq.toString() === row.highestModseq
  );
}

/** The folder's snapshot right after SELECT (or after STATUS of the already selected folder). */
function snapshot(session: ImapSession, path: string) {
  const mailbox = session.client.mailbox;
  if (!mailbox || mailbox.path !== path) throw new ImapError('connection_lost', `${path} is not selected`);
  return {
    uidValidity: Number(mailbox.uidValidity),
    uidNext: mailbox.uidNext,
    exists: mailbox.exists,
    highestModseq: session.caps.condstore && mailbox.highestModseq ? mailbox.highestModseq.toString() : null,
  };
}

async function initialSync(
  session: ImapSession,
  path: string,
  row: FolderRow | null,
  progress: Progress,
): Promise<FolderOutcome> {
  const { client, ctx } = session;
  const accountId = session.accountId;
  const specialUse = row?.specialUse ?? (await session.specialUseOf(path));
  const lock = await client.getMailboxLock(path);
  try {
    const snap = snapshot(session, path);
    if (row && row.uidValidity !== null && row.uidValidity !== snap.uidValidity) {
      // Changed again (or during an initial sync that never finished): what it held was known.
      await dropFolderForRebuild(ctx.db, accountId, path);
      row = (await session.folders.get(accountId, path)) ?? null;
    }
    const knownBefore = row?.knownBefore;
    const kept = row?.goneRecently ? { goneRecently: row.goneRecently } : {};
    // Record the UIDVALIDITY the rows below belong to before writing any of them, with
    // `uidNext: null` for "initial sync not finished": an action queued on one of them can then
    // always be checked against it, and the next sync resumes the initial sync.
    await session.folders.put({
      accountId,
      path,
      uidValidity: snap.uidValidity,
      uidNext: null,
      highestModseq: null,
      messages: snap.exists,
      unseen: row?.unseen ?? 0,
      specialUse,
      lastSync: row?.lastSync ?? null,
      ...(knownBefore ? { knownBefore } : {}),
      ...kept,
    });
    let uids: number[] = [];
    if (snap.exists > 0) {
      const from = Math.max(1, snap.exists - ctx.account.imap.syncWindow + 1);
      uids = uidList(session, await client.search({ seq: `${from}:*` }, { uid: true }), 'SEARCH');
    }
    // Rows left by an interrupted earlier run that are not in the window any more were expunged
    // meanwhile (or fell out of it): drop them, unless an action on them still waits.
    const window = new Set(uids);
    const queued = await queuedUids(session, path);
    const stale = (await session.messages.uidsInFolder(accountId, path)).filter(
      (uid): uid is number => typeof uid === 'number' && !window.has(uid) && !queued.has(uid),
    );
    await session.messages.remove(stale.map((uid): MessageKey => [accountId, path, uid]));
    progress.plan(uids.length);
    await fetchAndStoreSummaries(session, path, uids, (n) => progress.advance(n));
    const found = knownBefore ? await afterRebuild(session, path, specialUse, knownBefore) : null;
    const after = await session.status(path);
    // Written last, and without `knownBefore`: the rebuild is over, and what it found new is
    // returned for announcing in the same step as before (as incrementalSync's UIDNEXT).
    await session.folders.put({
      accountId,
      path,
      uidValidity: snap.uidValidity,
      uidNext: Math.max(snap.uidNext || 0, maxUid(uids) + 1),
      highestModseq: snap.highestModseq,
      messages: after.messages ?? snap.exists,
      unseen: after.unseen ?? 0,
      specialUse,
      lastSync: ctx.now(),
      ...kept,
    });
    return {
      path,
      newMessages: found?.newMessages ?? [],
      unseen: after.unseen ?? 0,
      ...(found ? { renumbered: found.renumbered } : {}),
    };
  } finally {
    lock.release();
  }
}

/**
 * After a rebuild: the folder's unread rows whose identity the account did not know before
 * (`knownBefore`, other folders, mail the server expunged lately), to announce, and the old id
 * of each unread row that was known here (for the badge's "new since the popup was opened").
 * Rows stored by an earlier run of the same rebuild that was cut short count too: that run
 * announced nothing.
 */
async function afterRebuild(
  session: ImapSession,
  path: string,
  specialUse: string | null,
  knownBefore: ReadonlyArray<[identity: string, uid: number]>,
): Promise<{ newMessages: MessageRow[]; renumbered: Array<[from: string, to: string]> }> {
  const accountId = session.accountId;
  const rows = (await folderRows(session.ctx.db, accountId, path)).filter(
    (r) => !r.seen && !r.deletedLocally,
  );
  const before = new Map(knownBefore);
  const renumbered: Array<[string, string]> = [];
  for (const row of rows) {
    const uid = before.get(identityOf(row));
    if (uid !== undefined) renumbered.push([messageId(accountId, path, uid), row.id]);
  }
  if (rows.length === 0 || (specialUse !== null && QUIET_FOLDERS.has(specialUse)))
    return { newMessages: [], renumbered };
  const known = await identitiesElsewhere(session.ctx.db, accountId, path);
  for (const id of before.keys()) known.add(id);
  return { newMessages: rows.filter((r) => !known.has(identityOf(r))), renumbered };
}

/** UIDs of `path` with a queued action. */
async function queuedUids(session: ImapSession, path: string): Promise<Set<number>> {
  const ops = await session.pending.peekAll(session.accountId);
  return new Set(ops.filter((op) => op.folder === path).map((op) => op.uid));
}

async function incrementalSync(
  session: ImapSession,
  path: string,
  row: FolderRow,
  status: StatusObject,
  progress: Progress,
  options: FolderSyncOptions,
): Promise<FolderOutcome> {
  const { client, ctx } = session;
  const accountId = session.accountId;
  const prevUidNext = row.uidNext ?? 1;
  const lock = await client.getMailboxLock(path);
  let released = false;
  // Anything the server announces from here on (mail arriving, another client's change) may
  // make the first STATUS stale: then it is asked again at the end.
  let raced = false;
  const onEvent = (event: { earlier?: boolean }) => {
    if (!event.earlier) raced = true;
  };
  client.on('exists', onEvent);
  client.on('expunge', onEvent);
  client.on('flags', onEvent);
  try {
    const snap = snapshot(session, path);
    if (
      snap.uidNext !== status.uidNext ||
      snap.exists !== status.messages ||
      (snap.highestModseq !== null && snap.highestModseq !== status.highestModseq?.toString())
    ) {
      raced = true; // changed between STATUS and SELECT
    }
    if (snap.uidValidity !== row.uidValidity) {
      // Changed between STATUS and SELECT.
      released = true;
      lock.release();
      return rebuild(session, path, progress);
    }
    const [floor, storedAbove] = await Promise.all([
      lowestStoredUid(ctx.db, accountId, path),
      storedUidsFrom(ctx.db, accountId, path, prevUidNext),
    ]);

    // 1. New mail: everything at or above the stored UIDNEXT (first: it is what the user waits for).
    const window = ctx.account.imap.syncWindow;
    let fresh: number[] = [];
    const gap = snap.uidNext > 0 ? snap.uidNext - prevUidNext : Number.POSITIVE_INFINITY;
    if (gap > 0 && gap <= Math.min(window, SUMMARY_CHUNK)) {
      // Few candidates: fetch them straight away (UID FETCH skips the UIDs that do not exist).
      fresh = Array.from({ length: gap }, (_, i) => prevUidNext + i);
    } else if (gap > 0) {
      const found = uidList(
        session,
        await client.search({ uid: `${prevUidNext}:*` }, { uid: true }),
        'SEARCH',
      );
      fresh = found.filter((uid) => uid >= prevUidNext);
      if (fresh.length > window) {
        // More new mail than the window holds (a long time offline): keep the newest `window`
        // and let the cache start there, so it stays one contiguous UID range that "load
        // older" extends.
        fresh = [...fresh].sort((a, b) => b - a).slice(0, window);
        const lowest = fresh.reduce((a, b) => Math.min(a, b));
        const queued = await queuedUids(session, path);
        const below = (await session.messages.uidsInFolder(accountId, path)).filter(
          (uid): uid is number => typeof uid === 'number' && uid < lowest && !queued.has(uid),
        );
        await session.messages.remove(below.map((uid): MessageKey => [accountId, path, uid]));
      }
    }
    progress.plan(fresh.length);
    const stored = await fetchAndStoreSummaries(session, path, fresh, (n) => progress.advance(n));

    // 2. Flag changes and expunges among the messages stored before (skipped when the push
    //    connection was told only of new mail; the HIGHESTMODSEQ bookmark then stays where it was).
    const checkChanges = !options.newMailOnly && floor !== null && floor < prevUidNext;
    let goneIds: string[] = [];
    if (checkChanges) {
      const range = `${floor}:${prevUidNext - 1}`;
      const { changed, existing, vanished, complete } = await serverChanges(
        session,
        range,
        row,
        snap.highestModseq,
      );
      let flagChanges = changed.filter((f) => !f.deleted);
      if (complete) {
        // A sweep reports every message: write only those whose flags differ from the stored ones.
        const mine = await storedFlags(ctx.db, accountId, path);
        flagChanges = flagChanges.filter((f) => {
          const old = mine.get(f.uid);
          return old && (old.seen !== f.seen || old.flagged !== f.flagged || old.answered !== f.answered);
        });
      }
      await session.messages.applyServerFlags(accountId, path, flagChanges);
      const gone = existing
        ? (await session.messages.uidsInFolder(accountId, path)).filter(
            (uid): uid is number => typeof uid === 'number' && uid < prevUidNext && !existing.has(uid),
          )
        : [...vanished].filter((uid) => uid < prevUidNext);
      const goneKeys = gone.map((uid): MessageKey => [accountId, path, uid]);
      goneIds = await identitiesOf(ctx.db, goneKeys);
      await session.messages.remove(goneKeys);
    }

    // 3. What to announce: unread, new since the last sync, not stored before, and not known
    //    by another UID (mail another client moved here from another watched folder).
    const quiet = row.specialUse !== null && QUIET_FOLDERS.has(row.specialUse);
    let candidates = quiet
      ? []
      : stored.filter((s) => !s.seen && Number(s.uid) >= prevUidNext && !storedAbove.has(Number(s.uid)));
    if (candidates.length > 0) {
      const known = await identitiesElsewhere(ctx.db, accountId, path);
      candidates = candidates.filter((s) => !known.has(identityOf(s)));
    }
    // Rows of messages stored for the first time just now: no action can be queued on them yet,
    // so they are exactly what toRow makes of the summary.
    const newMessages = candidates.map((s) => toRow(s, { deletedLocally: false, bodyState: 'none' }));

    const after = raced ? await session.status(path) : status;
    await session.folders.put({
      ...row,
      uidValidity: snap.uidValidity,
      uidNext: Math.max(snap.uidNext || 0, prevUidNext, maxUid(fresh) + 1),
      highestModseq: checkChanges || floor === null ? snap.highestModseq : row.highestModseq,
      messages: after.messages ?? snap.exists,
      unseen: after.unseen ?? row.unseen,
      lastSync: ctx.now(),
      ...(goneIds.length > 0 ? { goneRecently: rememberGone(row.goneRecently, goneIds) } : {}),
    });
    return { path, newMessages, unseen: after.unseen ?? row.unseen };
  } finally {
    client.off('exists', onEvent);
    client.off('expunge', onEvent);
    client.off('flags', onEvent);
    if (!released) lock.release();
  }
}

/**
 * Server flags of changed messages in `range`, and which messages are gone: `existing` (the
 * full set still on the server) when known, else `vanished` (QRESYNC's list of expunged UIDs).
 */
async function serverChanges(
  session: ImapSession,
  range: string,
  row: FolderRow,
  highestModseq: string | null,
): Promise<{ changed: ImapFlags[]; existing: Set<number> | null; vanished: Set<number>; complete: boolean }> {
  const { client, caps } = session;
  const vanished = new Set<number>();
  if (caps.condstore && row.highestModseq !== null && highestModseq !== null) {
    if (highestModseq === row.highestModseq)
      return { changed: [], existing: null, vanished, complete: false };
    const onExpunge = (event: { uid?: number; vanished: boolean }) => {
      if (event.vanished && event.uid !== undefined) vanished.add(event.uid);
    };
    client.on('expunge', onExpunge);
    let rows: Awaited<ReturnType<typeof client.fetchAll>>;
    try {
      rows = await client.fetchAll(
        range,
        { uid: true, flags: true },
        { uid: true, changedSince: BigInt(row.highestModseq) },
      );
    } finally {
      client.off('expunge', onExpunge);
    }
    const changed = rows.map(flagsOf);
    for (const f of changed) if (f.deleted) vanished.add(f.uid);
    if (caps.qresync) return { changed, existing: null, vanished, complete: false };
    const found = uidList(
      session,
      await client.search({ uid: range, deleted: false }, { uid: true }),
      'SEARCH',
    );
    return { changed, existing: new Set(found), vanished, complete: false };
  }
  const changed = (await client.fetchAll(range, { uid: true, flags: true }, { uid: true })).map(flagsOf);
  const existing = new Set(changed.filter((f) => !f.deleted).map((f) => f.uid));
  return { changed, existing, vanished, complete: true };
}
