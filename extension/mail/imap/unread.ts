/**
 * An IMAP account's unread count as the badge shows it, from what is stored (ProtocolDriver's
 * `unread`).
 */
import type { Account } from '../../accounts.ts';
import { FoldersRepo } from '../../store/folders-repo.ts';
import { MessagesRepo } from '../../store/messages-repo.ts';
import { PendingRepo } from '../../store/pending-repo.ts';
import type { BiffDatabase } from '../../store/schema.ts';
import { watchedFolders } from './sync.ts';

/**
 * STATUS UNSEEN of the watched folders as last read (so mail beyond the sync window counts, and
 * a "mark read" here has already lowered it, engine/actions.ts), less the unread messages
 * hidden here whose delete the server has not had yet: those STATUS still counts while the
 * delete is in its undo window or queued offline.
 */
export async function imapUnread(db: BiffDatabase, account: Account): Promise<number> {
  const messages = new MessagesRepo(db);
  const watched = new Set(watchedFolders({ account }));
  const [folders, queued] = await Promise.all([
    new FoldersRepo(db).listByAccount(account.id),
    new PendingRepo(db).peekAll(account.id),
  ]);
  const unseen = folders.filter((f) => watched.has(f.path)).reduce((sum, f) => sum + f.unseen, 0);
  const deletes = queued.filter((op) => op.kind === 'delete' && watched.has(op.folder));
  const rows = await Promise.all(deletes.map((op) => messages.get([op.accountId, op.folder, op.uid])));
  const hidden = new Set(rows.filter((r) => r?.deletedLocally && !r.seen).map((r) => r!.id));
  return Math.max(0, unseen - hidden.size);
}
