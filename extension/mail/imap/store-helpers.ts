/**
 * Two store operations the repositories do not offer yet (asked for in the IMAP report; to move
 * into messages-repo.ts / pending-repo.ts). Kept tiny and transactional like the repositories.
 */
import { prefixRange } from '../../store/keys.ts';
import type { ServerFlags } from '../../store/messages-repo.ts';
import type { BiffDatabase } from '../../store/schema.ts';
import { runTx } from '../../store/tx.ts';

/**
 * The flags of every stored row of an IMAP folder, by UID, as the server last reported them
 * or as queued actions made them. A flag sweep compares against this and writes only rows
 * that differ, instead of rewriting the whole window on every sync.
 */
export async function storedFlags(
  db: BiffDatabase,
  accountId: string,
  folder: string,
): Promise<Map<number, ServerFlags>> {
  const tx = db.transaction('messages');
  const rows = await runTx(tx, () => tx.store.getAll(prefixRange(accountId, folder)));
  const flags = new Map<number, ServerFlags>();
  for (const row of rows) {
    if (typeof row.uid !== 'number') continue;
    flags.set(row.uid, { uid: row.uid, seen: row.seen, flagged: row.flagged, answered: row.answered });
  }
  return flags;
}

/**
 * Removes a queued action that will never succeed, leaving its message row alone: the caller
 * then refreshes the row from the server (applyServerFlags clears `deletedLocally` and lays the
 * remaining queued actions over the server's flags). Unlike `PendingRepo.complete`, it never
 * removes the message. False when the action is gone already.
 */
export async function abandonPendingOp(db: BiffDatabase, id: number): Promise<boolean> {
  const tx = db.transaction('pending', 'readwrite');
  return runTx(tx, async () => {
    const record = await tx.store.get(id);
    if (!record) return false;
    await tx.store.delete(id);
    return true;
  });
}

/**
 * The lowest stored UID of an IMAP folder (where the cached range starts), or null when none is
 * stored. Reads one key, where `uidsInFolder` reads them all.
 */
export async function lowestStoredUid(
  db: BiffDatabase,
  accountId: string,
  folder: string,
): Promise<number | null> {
  const tx = db.transaction('messages');
  return runTx(tx, async () => {
    const cursor = await tx.store.openKeyCursor(
      IDBKeyRange.bound([accountId, folder, 0], [accountId, folder, '']),
    );
    const uid = cursor?.key[2];
    return typeof uid === 'number' ? uid : null;
  });
}

/** Stored UIDs of an IMAP folder at or above `from`: usually none, when `from` is the folder's UIDNEXT. */
export async function storedUidsFrom(
  db: BiffDatabase,
  accountId: string,
  folder: string,
  from: number,
): Promise<Set<number>> {
  const tx = db.transaction('messages');
  const keys = await runTx(tx, () =>
    tx.store.getAllKeys(IDBKeyRange.bound([accountId, folder, from], [accountId, folder, ''], false, true)),
  );
  return new Set(keys.map((key) => key[2]).filter((uid): uid is number => typeof uid === 'number'));
}
