/**
 * User actions on IMAP mail: queued locally first (PendingRepo changes the row and enqueues the
 * action in one transaction), then sent by replay.ts, which calls `applyOnServer` for each run
 * of same-kind actions in one folder as ONE UID command.
 *
 * Deleting never sends a plain EXPUNGE: without UIDPLUS (RFC 4315) it would also expunge every
 * message another client marked \Deleted. imapflow's own MOVE fallback (COPY, then
 * messageDelete) and messageDelete without UIDPLUS do send it, so they are not used then.
 */
import type { PendingRepo } from '../../store/pending-repo.ts';
import type { MessageKey, MessageRow, PendingKind } from '../../store/schema.ts';
import type { ImapSession } from './session.ts';

/**
 * Applies `kind` locally and queues it for the server, atomically. Returns the rows that
 * changed (a row already in that state is left alone and nothing is queued for it). After it,
 * the engine flushes the queue: `ImapPush.flushPending()` when the account is connected, else
 * the next sync does it first thing.
 */
export function queueImapAction(
  pending: PendingRepo,
  keys: readonly MessageKey[],
  kind: PendingKind,
  now: number,
): Promise<MessageRow[]> {
  switch (kind) {
    case 'seen':
    case 'unseen':
      return pending.markSeenLocally(keys, kind === 'seen', now);
    case 'flag':
    case 'unflag':
      return pending.markFlaggedLocally(keys, kind === 'flag', now);
    case 'delete':
      return pending.deleteLocally(keys, now);
  }
}

/**
 * Sends one action for the UIDs in `set` of the selected folder `folder`. True when the
 * server said OK. Flag changes are +FLAGS/-FLAGS (RFC 3501 §6.4.6), idempotent; a delete of a
 * UID that no longer exists is a no-op, so replaying an action whose completion was not
 * recorded does no harm.
 */
export async function applyOnServer(
  session: ImapSession,
  folder: string,
  kind: PendingKind,
  set: string,
): Promise<boolean> {
  const { client } = session;
  const opts = { uid: true, silent: true };
  switch (kind) {
    case 'seen':
      return client.messageFlagsAdd(set, ['\\Seen'], opts);
    case 'unseen':
      return client.messageFlagsRemove(set, ['\\Seen'], opts);
    case 'flag':
      return client.messageFlagsAdd(set, ['\\Flagged'], opts);
    case 'unflag':
      return client.messageFlagsRemove(set, ['\\Flagged'], opts);
    case 'delete':
      return deleteOnServer(session, folder, set);
  }
}

/**
 * Moves to the account's Trash (SPECIAL-USE \Trash) when there is one and the account wants
 * it, else removes for good with \Deleted + UID EXPUNGE; without UIDPLUS only \Deleted is set
 * and the message left for the user's other client to expunge. Deleting in Trash itself removes
 * for good.
 */
async function deleteOnServer(session: ImapSession, folder: string, set: string): Promise<boolean> {
  const { client, caps } = session;
  const trash = session.ctx.account.imap.deleteToTrash ? await session.specialFolder('\\Trash') : null;
  if (trash !== null && trash !== folder) {
    if (caps.move) return Boolean(await client.messageMove(set, trash, { uid: true }));
    // COPY then remove. If the connection dies between the two, the replay copies again: a
    // duplicate in Trash, never a lost message.
    if (!(await client.messageCopy(set, trash, { uid: true }))) return false;
  }
  if (caps.uidplus) return client.messageDelete(set, { uid: true });
  return client.messageFlagsAdd(set, ['\\Deleted'], { uid: true, silent: true });
}
