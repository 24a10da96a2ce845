/**
 * User actions on IMAP mail: queued locally first (engine/actions.ts: PendingRepo changes the
 * row and enqueues the action in one transaction), then sent by replay.ts, which calls
 * `applyOnServer` for each run of same-kind actions in one folder as ONE UID command.
 *
 * Deleting never sends a plain EXPUNGE: without UIDPLUS (RFC 4315) it would also expunge every
 * message another client marked \Deleted. imapflow's own MOVE fallback (COPY, then
 * messageDelete) and messageDelete without UIDPLUS do send it, so they are not used then.
 */
import type { PendingKind } from '../../store/schema.ts';
import type { ImapSession } from './session.ts';

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
 *
 * Without UIDPLUS \Seen is set with \Deleted: the message stays in the folder until some
 * client expunges it, and STATUS UNSEEN, which the badge counts (unread.ts), counts a deleted
 * message that is unread. On GNU Mailutils imap4d (no UIDPLUS) an unread message deleted here
 * kept the badge one too high for good (imap4d.test.ts). The copy in Trash keeps its flags:
 * they are set on the original after the COPY.
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
  return client.messageFlagsAdd(set, ['\\Deleted', '\\Seen'], { uid: true, silent: true });
}
