/**
 * `syncImapAccount`: one connection per sync. Logs in, replays the offline action queue first
 * (so the server has the user's changes before we read its state), then synchronises each
 * watched folder (folder-sync.ts) and reports new mail and the unread count.
 *
 * Notifications: `newMessages` are unread messages at or above the folder's previous UIDNEXT
 * that were not stored before. An initial sync (or a rebuild after a UIDVALIDITY change) has
 * no previous UIDNEXT, so it announces nothing: a first sync must not notify 1,000 old
 * messages, and after a rebuild "new" cannot be told from "renumbered". Mail in Junk or Trash
 * is never announced.
 */

import { withAccountLock } from '../account-lock.ts';
import { redactSecret } from '../redact.ts';
import type { SyncContext, SyncResult } from '../sync-context.ts';
import { type FolderOutcome, type FolderSyncOptions, syncFolder } from './folder-sync.ts';
import { Progress } from './progress.ts';
import { replayPending } from './replay.ts';
import { ImapSession } from './session.ts';

/** The folders an account watches: its setting, INBOX when empty. */
export function watchedFolders(ctx: Pick<SyncContext, 'account'>): string[] {
  const folders = ctx.account.imap.folders.filter((f) => f !== '');
  return folders.length > 0 ? [...new Set(folders)] : ['INBOX'];
}

/**
 * Replays the queue and synchronises `folders` on an open session. The unread count covers every
 * watched folder: the synced ones from STATUS now, the others from their last STATUS.
 */
export async function syncOnSession(
  session: ImapSession,
  folders: readonly string[],
  options: FolderSyncOptions = {},
): Promise<SyncResult> {
  await replayPending(session);
  const progress = new Progress(session.ctx.onProgress);
  const outcomes: FolderOutcome[] = [];
  for (const path of folders) outcomes.push(await syncFolder(session, path, progress, options));
  let unread = outcomes.reduce((sum, o) => sum + o.unseen, 0);
  const synced = new Set(folders);
  for (const path of watchedFolders(session.ctx)) {
    if (synced.has(path)) continue;
    unread += (await session.folders.get(session.accountId, path))?.unseen ?? 0;
  }
  return { newMessages: outcomes.flatMap((o) => o.newMessages), unread };
}

/** Synchronises every watched folder of an IMAP account over one connection. */
export function syncImapAccount(ctx: SyncContext): Promise<SyncResult> {
  return withAccountLock(ctx.account.id, async () => {
    const session = await ImapSession.open(ctx);
    try {
      return await syncOnSession(session, watchedFolders(ctx));
    } catch (error) {
      throw redactSecret(error, ctx.password, ctx.account.username);
    } finally {
      await session.close();
    }
  });
}
