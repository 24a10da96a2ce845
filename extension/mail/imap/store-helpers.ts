/**
 * Store operations of the IMAP sync that the repositories do not offer (asked for in the IMAP
 * report; to move into messages-repo.ts / pending-repo.ts). Kept tiny and transactional like the
 * repositories.
 */
import { prefixRange } from '../../store/keys.ts';
import { deleteFolderCache, type ServerFlags } from '../../store/messages-repo.ts';
import type { BiffDatabase, MessageKey, MessageRow } from '../../store/schema.ts';
import { runTx } from '../../store/tx.ts';
import { identityOf } from './identity.ts';

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

/**
 * Drops a folder's cache (rows, bodies, queued actions) because its UIDVALIDITY changed, and in
 * the same transaction leaves a folder row that says "rebuild me" (`uidNext: null`) and
 * remembers the identities of the messages it held (`knownBefore`, added to those of an
 * earlier rebuild that never finished). The rebuild then announces only what was not known.
 * One transaction: a crash cannot drop the rows and lose what they were.
 *
 * Also when the folder is gone from the server (`folderGone`, its unread count then 0): a
 * folder deleted and made again by another client has a new UIDVALIDITY, and Biff may look in
 * between. Without the marker the folder would come back as a first sync, which announces
 * nothing, and mail that reached it right after was never announced.
 */
export async function dropFolderForRebuild(
  db: BiffDatabase,
  accountId: string,
  folder: string,
  options: { folderGone?: boolean } = {},
): Promise<void> {
  const tx = db.transaction(['messages', 'bodies', 'pending', 'folders'], 'readwrite');
  await runTx(tx, async () => {
    const folders = tx.objectStore('folders');
    const [rows, old] = await Promise.all([
      tx.objectStore('messages').getAll(prefixRange(accountId, folder)),
      folders.get([accountId, folder]),
    ]);
    const known = new Map(old?.knownBefore ?? []);
    for (const row of rows) if (typeof row.uid === 'number') known.set(identityOf(row), row.uid);
    await deleteFolderCache(tx, accountId, folder);
    await folders.put({
      accountId,
      path: folder,
      uidValidity: null,
      uidNext: null,
      highestModseq: null,
      messages: 0,
      unseen: options.folderGone ? 0 : (old?.unseen ?? 0),
      specialUse: old?.specialUse ?? null,
      lastSync: old?.lastSync ?? null,
      knownBefore: [...known],
      ...(old?.goneRecently ? { goneRecently: old.goneRecently } : {}),
    });
  });
}

/** Every stored row of an IMAP folder. */
export async function folderRows(db: BiffDatabase, accountId: string, folder: string): Promise<MessageRow[]> {
  const tx = db.transaction('messages');
  return runTx(tx, () => tx.store.getAll(prefixRange(accountId, folder)));
}

/**
 * How many identities of expunged messages a folder row remembers (`goneRecently`): far more
 * than another client moves between two checks, small enough that the folder row, written on
 * every sync, stays a few KiB.
 */
export const GONE_REMEMBERED = 200;

/** `list` with `ids` added at the end, cut to the newest GONE_REMEMBERED. */
export function rememberGone(list: readonly string[] | undefined, ids: readonly string[]): string[] {
  const all = [...(list ?? []).filter((id) => !ids.includes(id)), ...ids];
  return all.slice(-GONE_REMEMBERED);
}

/**
 * The identities of the messages the account knows outside `folder`'s current rows: unread rows
 * of its other folders, what other folders held before their own UIDVALIDITY change, and what
 * the server expunged lately from any folder. Mail another client moves between watched folders
 * is found here, in whichever order the two folders are synchronised, so its new UID is not
 * announced as new mail.
 *
 * Only unread rows are read (the `unread-by-account` index; usually a few rows, where the whole
 * account is thousands): only unread mail is announced, and a move keeps the message's flags
 * (RFC 6851 §3.3, RFC 3501 §6.4.7), so a read row can only match mail that is not a candidate.
 */
export async function identitiesElsewhere(
  db: BiffDatabase,
  accountId: string,
  folder: string,
): Promise<Set<string>> {
  const tx = db.transaction(['messages', 'folders']);
  return runTx(tx, async () => {
    const [rows, folderRows] = await Promise.all([
      tx.objectStore('messages').index('unread-by-account').getAll([accountId, 1]),
      tx.objectStore('folders').getAll(prefixRange(accountId)),
    ]);
    const known = new Set<string>();
    for (const row of rows) if (row.folder !== folder) known.add(identityOf(row));
    for (const f of folderRows) {
      if (f.path !== folder) for (const [id] of f.knownBefore ?? []) known.add(id);
      for (const id of f.goneRecently ?? []) known.add(id);
    }
    return known;
  });
}

/** The identities of the stored rows with these keys (rows about to be removed). */
export async function identitiesOf(db: BiffDatabase, keys: readonly MessageKey[]): Promise<string[]> {
  if (keys.length === 0) return [];
  const tx = db.transaction('messages');
  const rows = await runTx(tx, () => Promise.all(keys.map((key) => tx.store.get(key))));
  return rows.filter((row): row is MessageRow => row !== undefined).map(identityOf);
}
