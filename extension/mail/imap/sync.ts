/**
 * `syncImapAccount`: one connection per sync. Logs in, replays the offline action queue first
 * (so the server has the user's changes before we read its state), then synchronises each
 * watched folder (folder-sync.ts) and reports new mail and the unread count.
 *
 * Notifications: `newMessages` are unread messages at or above the folder's previous UIDNEXT
 * that were not stored before, and whose identity (identity.ts: Message-ID, else date, sender,
 * subject and size) the account does not hold in another folder nor saw expunged lately
 * (`FolderRow.goneRecently`): mail another client moves between watched folders is not new.
 * An initial sync has no previous UIDNEXT, so it announces nothing: a first sync must not
 * notify 1,000 old messages. A rebuild after a UIDVALIDITY change (or after the folder was
 * deleted and made again) has none either, but remembers the identities of what the folder
 * held, and announces the unread mail it finds that was not among them (folder-sync.ts). Mail
 * in Junk or Trash is never announced.
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
  const rebuilt = outcomes.flatMap((o) =>
    o.renumbered ? [{ folder: o.path, renumbered: o.renumbered }] : [],
  );
  return {
    newMessages: outcomes.flatMap((o) => o.newMessages),
    unread,
    ...(rebuilt.length > 0 ? { rebuilt } : {}),
  };
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
