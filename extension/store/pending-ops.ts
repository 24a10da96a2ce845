/**
 * What a queued offline action means for the local copy, and how queued actions coalesce.
 * Pure: used by pending-repo.ts when enqueuing and by messages-repo.ts to lay queued actions
 * over fresh server data (so a sync never shows a message as unread while "mark read" waits
 * in the queue).
 *
 * Coalescing rules (applied when a new action is enqueued for a message):
 * 1. Flag actions are idempotent "set" operations (UID STORE +FLAGS/-FLAGS, RFC 3501 §6.4.6):
 *    only the latest one per family (seen/unseen, flag/unflag) matters. Enqueuing one removes
 *    any earlier one of the same family for that message and appends the new one.
 *    Earlier actions are replaced, never cancelled in pairs: "seen then unseen = nothing" is
 *    only right if the first was never sent, and the engine may be sending it right now. Sending
 *    the latest state is right in every case, at the cost of one possibly redundant STORE.
 * 2. A delete keeps the flag actions queued before it: they are sent first, so a message
 *    moved to Trash arrives there read (or flagged) as the user left it, and "Undo" of a delete
 *    (which removes only the delete) leaves the earlier actions intact. A second delete of the
 *    same message replaces the first.
 * 3. Nothing is ever reordered across messages; the queue stays in insertion order.
 */
import type { MessageRow, PendingKind } from './schema.ts';

/** Kinds that replace each other (rules 1 and 2). */
export type PendingFamily = 'seen' | 'flag' | 'delete';

/** The family of a kind. */
export function familyOf(kind: PendingKind): PendingFamily {
  switch (kind) {
    case 'seen':
    case 'unseen':
      return 'seen';
    case 'flag':
    case 'unflag':
      return 'flag';
    case 'delete':
      return 'delete';
  }
}

/** Whether a queued action of kind `queued` is dropped when `incoming` is enqueued for the same message. */
export function supersedes(incoming: PendingKind, queued: PendingKind): boolean {
  return familyOf(queued) === familyOf(incoming);
}

/** The flag changes an action makes to the local row. */
export function effectOf(
  kind: PendingKind,
): Partial<Pick<MessageRow, 'seen' | 'flagged' | 'deletedLocally'>> {
  switch (kind) {
    case 'seen':
      return { seen: true };
    case 'unseen':
      return { seen: false };
    case 'flag':
      return { flagged: true };
    case 'unflag':
      return { flagged: false };
    case 'delete':
      return { deletedLocally: true };
  }
}

/** The row as it looks once every queued action (in queue order) is applied. */
export function overlay<T extends Pick<MessageRow, 'seen' | 'flagged' | 'deletedLocally'>>(
  row: T,
  kinds: readonly PendingKind[],
): T {
  let result = row;
  for (const kind of kinds) result = { ...result, ...effectOf(kind) };
  return result;
}
