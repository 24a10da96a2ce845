/**
 * Deletes the user may still undo (engine/actions.ts): queued and hidden, but no sync or flush
 * sends them until they are released. The engine's view of Actions' stored undo windows: a
 * worker that starts again rebuilds it from them (Actions.resumeHolds) before its first replay.
 */
import { messageId } from '../store/keys.ts';
import type { MessageKey } from '../store/schema.ts';

export class DeleteHolds {
  private readonly ids = new Set<string>();

  /** Holds back the deletes of these message ids (`MessageRow.id`). */
  hold(ids: Iterable<string>): void {
    for (const id of ids) this.ids.add(id);
  }

  /** The undo window of these deletes is over (or they were undone). */
  release(ids: Iterable<string>): void {
    for (const id of ids) this.ids.delete(id);
  }

  /** Whether the queued delete of `key` must stay unsent (SyncContext's `held`). */
  has(key: MessageKey): boolean {
    return this.ids.has(messageId(...key));
  }
}
