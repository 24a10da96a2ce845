/**
 * Replaying the offline action queue on the server: in queue order, each run of consecutive
 * same-kind actions in one folder as one UID command, every action removed from the queue only
 * after the server's OK (PendingRepo.complete). A crash between the OK and the removal replays
 * the action, which is harmless (see actions.ts `applyOnServer`).
 *
 * Before touching a folder its UIDVALIDITY is compared with the one the cache was built under:
 * if it changed, the queued UIDs name other messages now (RFC 3501 §2.3.1.1), so nothing is
 * sent and the folder's cache, queued actions included, is dropped for the sync to rebuild
 * (remembering what it held, so the rebuild announces only mail that is new: folder-sync.ts).
 *
 * A delete still in its undo window (`SyncContext.held`) is skipped: it is sent by the first
 * replay after the window, so a sync or flush that happens to run meanwhile cannot make
 * "Undo" too late.
 */

import type { PendingOp } from '../../store/pending-repo.ts';
import type { MessageKey } from '../../store/schema.ts';
import { applyOnServer } from './actions.ts';
import { ImapError } from './errors.ts';
import type { ImapSession } from './session.ts';
import { abandonPendingOp, dropFolderForRebuild } from './store-helpers.ts';
import { flagsOf } from './summary.ts';
import { toSequenceSet } from './uid-set.ts';

/**
 * Refusals (NO/BAD) an action may collect before it is given up: then it is removed from the
 * queue and its message shown as the server has it. A queue must not be blocked for ever by an
 * action the server will never accept (e.g. a MOVE into a Trash that is over quota), nor may
 * such a message stay hidden.
 */
export const MAX_ATTEMPTS = 5;
/** UIDs per command: keeps a command line far below servers' line limits (Dovecot: 64 KiB). */
export const MAX_UIDS_PER_COMMAND = 1000;
/** Passes over the queue per replay, to pick up actions queued while the replay ran. */
const MAX_PASSES = 3;

/** What a replay did. */
export interface ReplayReport {
  /** Actions the server accepted. */
  applied: number;
  /** Actions refused by the server this time (kept, or given up after MAX_ATTEMPTS). */
  refused: number;
  /** Actions dropped because their folder is gone or changed UIDVALIDITY. */
  dropped: number;
}

interface Run {
  folder: string;
  kind: PendingOp['kind'];
  ops: PendingOp[];
}

/** Splits the queue into runs of consecutive actions of one kind in one folder. */
export function toRuns(ops: readonly PendingOp[]): Run[] {
  const runs: Run[] = [];
  for (const op of ops) {
    const last = runs.at(-1);
    if (
      last &&
      last.folder === op.folder &&
      last.kind === op.kind &&
      last.ops.length < MAX_UIDS_PER_COMMAND
    ) {
      last.ops.push(op);
    } else {
      runs.push({ folder: op.folder, kind: op.kind, ops: [op] });
    }
  }
  return runs;
}

/** Replays the account's queue on `session`; throws (leaving the rest queued) when the connection fails. */
export async function replayPending(session: ImapSession): Promise<ReplayReport> {
  const report: ReplayReport = { applied: 0, refused: 0, dropped: 0 };
  const tried = new Set<number>();
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const ops = (await session.pending.peekAll(session.accountId)).filter(
      (op) => !tried.has(op.id) && !isHeld(session, op),
    );
    if (ops.length === 0) break;
    for (const run of toRuns(ops)) {
      session.checkAborted();
      for (const op of run.ops) tried.add(op.id);
      await replayRun(session, run, report);
    }
  }
  return report;
}

/** A delete the user can still undo: it stays queued, and unsent, until its window is over. */
function isHeld(session: ImapSession, op: PendingOp): boolean {
  return op.kind === 'delete' && session.ctx.held?.([op.accountId, op.folder, op.uid]) === true;
}

async function replayRun(session: ImapSession, run: Run, report: ReplayReport): Promise<void> {
  const { client } = session;
  const accountId = session.accountId;
  const folderRow = await session.folders.get(accountId, run.folder);
  let lock: Awaited<ReturnType<typeof client.getMailboxLock>>;
  try {
    lock = await client.getMailboxLock(run.folder);
  } catch (error) {
    if ((error as { mailboxMissing?: unknown }).mailboxMissing !== true) throw error;
    if (folderRow) await dropFolderForRebuild(session.ctx.db, accountId, run.folder, { folderGone: true });
    else await session.messages.removeFolder(accountId, run.folder);
    report.dropped += run.ops.length;
    return;
  }
  try {
    const mailbox = client.mailbox;
    const current = mailbox ? Number(mailbox.uidValidity) : null;
    if (!folderRow || folderRow.uidValidity === null || folderRow.uidValidity !== current) {
      if (folderRow) await dropFolderForRebuild(session.ctx.db, accountId, run.folder);
      else await session.messages.removeFolder(accountId, run.folder);
      report.dropped += run.ops.length;
      return;
    }
    const set = toSequenceSet(run.ops.map((op) => op.uid));
    if (await applyOnServer(session, run.folder, run.kind, set)) {
      for (const op of run.ops) await session.pending.complete(op.id);
      report.applied += run.ops.length;
      return;
    }
    if (!client.usable)
      throw new ImapError('connection_lost', `The connection dropped while replaying ${run.kind}`);
    report.refused += run.ops.length;
    const givenUp: PendingOp[] = [];
    for (const op of run.ops) {
      await session.pending.fail(op.id, `The server refused ${run.kind}`);
      if (op.attempts + 1 >= MAX_ATTEMPTS && (await abandonPendingOp(session.ctx.db, op.id)))
        givenUp.push(op);
    }
    if (givenUp.length > 0) await refreshFromServer(session, run.folder, givenUp);
  } finally {
    lock.release();
  }
}

/** Shows messages whose actions were given up as the server has them (gone ones removed). */
async function refreshFromServer(
  session: ImapSession,
  folder: string,
  ops: readonly PendingOp[],
): Promise<void> {
  const uids = ops.map((op) => op.uid);
  const rows = await session.client.fetchAll(toSequenceSet(uids), { uid: true, flags: true }, { uid: true });
  const present = new Set(rows.map((r) => r.uid));
  await session.messages.applyServerFlags(session.accountId, folder, rows.map(flagsOf));
  const gone = uids
    .filter((uid) => !present.has(uid))
    .map((uid): MessageKey => [session.accountId, folder, uid]);
  await session.messages.remove(gone);
}
