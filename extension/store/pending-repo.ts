/**
 * The offline action queue. A user action changes the local row and enqueues the server action
 * in ONE transaction, so the popup never shows a change the queue does not hold, nor the queue
 * an action the popup does not show. The engine replays the queue in order (`peekAll`) and
 * reports each action with `complete` or `fail`. Coalescing rules: pending-ops.ts.
 *
 * POP3 has no server flags: marking POP3 mail read or flagged changes only the row. POP3
 * deletion goes through pop3-repo.ts `deleteHere`.
 */
import { StoreError } from './errors.ts';
import { checkKey, isPop3Uid, messageId } from './keys.ts';
import { patchRow } from './message-row.ts';
import { effectOf, supersedes } from './pending-ops.ts';
import type { BiffDatabase, MessageKey, MessageRow, PendingKind, PendingRecord } from './schema.ts';
import { addAll, deleteAll, putAll, runTx } from './tx.ts';

/** A queued action as the engine sees it. */
export type PendingOp = Omit<PendingRecord, 'id'> & { id: number };

/** Longest `lastError` kept: a diagnostic, not a log; server replies can be long. */
export const LAST_ERROR_MAX_CHARS = 500;

function toOp(record: PendingRecord): PendingOp {
  if (record.id === undefined) throw new StoreError('unknown', 'queued action without id');
  return { ...record, id: record.id };
}

/** Whether `row` already looks the way `kind` would make it. */
function alreadyApplied(row: MessageRow, kind: PendingKind): boolean {
  const effect = effectOf(kind);
  return (
    (effect.seen === undefined || row.seen === effect.seen) &&
    (effect.flagged === undefined || row.flagged === effect.flagged) &&
    (effect.deletedLocally === undefined || row.deletedLocally === effect.deletedLocally)
  );
}

/** Local changes with their queued server actions, and the queue itself. */
export class PendingRepo {
  constructor(private readonly db: BiffDatabase) {}

  /** Marks messages read or unread here and queues the IMAP STOREs. Returns the rows that changed; unknown keys are skipped. */
  markSeenLocally(keys: readonly MessageKey[], seen: boolean, now = Date.now()): Promise<MessageRow[]> {
    return this.apply(keys, seen ? 'seen' : 'unseen', now);
  }

  /** Flags or unflags messages here and queues the IMAP STOREs. Returns the rows that changed. */
  markFlaggedLocally(keys: readonly MessageKey[], flagged: boolean, now = Date.now()): Promise<MessageRow[]> {
    return this.apply(keys, flagged ? 'flag' : 'unflag', now);
  }

  /**
   * Hides IMAP messages here and queues their deletion; the rows go when the delete completes.
   * POP3 keys are refused: use pop3-repo.ts `deleteHere`.
   */
  async deleteLocally(keys: readonly MessageKey[], now = Date.now()): Promise<MessageRow[]> {
    for (const key of keys) {
      if (isPop3Uid(key[2])) throw new StoreError('invalid', 'POP3 mail is deleted with Pop3Repo.deleteHere');
    }
    return this.apply(keys, 'delete', now);
  }

  /** An account's queued actions, oldest first. */
  async peekAll(accountId: string): Promise<PendingOp[]> {
    const tx = this.db.transaction('pending');
    const records = await runTx(tx, () => tx.store.index('by-account').getAll(accountId));
    return records.map(toOp);
  }

  /** Accounts with queued actions, so the engine knows whom to connect to. */
  async accountsWithPending(): Promise<string[]> {
    const tx = this.db.transaction('pending');
    return runTx(tx, async () => {
      const accounts: string[] = [];
      const index = tx.store.index('by-account');
      for (let c = await index.openKeyCursor(null, 'nextunique'); c; c = await c.continue())
        accounts.push(c.key);
      return accounts;
    });
  }

  /**
   * The server applied an action: removes it and, for a delete, the message and its body, in one
   * transaction. False when the action is gone already (replaced by a newer one meanwhile).
   */
  async complete(id: number): Promise<boolean> {
    const tx = this.db.transaction(['pending', 'messages', 'bodies'], 'readwrite');
    return runTx(tx, async () => {
      const pending = tx.objectStore('pending');
      const record = await pending.get(id);
      if (!record) return false;
      deleteAll(pending, [id]);
      if (record.kind === 'delete') {
        const key: MessageKey = [record.accountId, record.folder, record.uid];
        deleteAll(tx.objectStore('messages'), [key]);
        deleteAll(tx.objectStore('bodies'), [key]);
      }
      return true;
    });
  }

  /** The server refused or could not be reached: counts the attempt and keeps the reason. False when the action is gone. */
  async fail(id: number, error: string): Promise<boolean> {
    const tx = this.db.transaction('pending', 'readwrite');
    return runTx(tx, async () => {
      const record = await tx.store.get(id);
      if (!record) return false;
      await tx.store.put({
        ...record,
        attempts: record.attempts + 1,
        lastError: error.slice(0, LAST_ERROR_MAX_CHARS),
      });
      return true;
    });
  }

  /**
   * Takes back queued deletes that were not sent yet ("Undo"): removes the delete actions and
   * shows the rows again, in one transaction. False when any of them was already sent (its
   * action is gone); the others are still restored.
   */
  async cancelDeletes(keys: readonly MessageKey[]): Promise<boolean> {
    for (const key of keys) checkKey(key);
    const tx = this.db.transaction(['messages', 'pending'], 'readwrite');
    return runTx(tx, async () => {
      const messages = tx.objectStore('messages');
      const pending = tx.objectStore('pending');
      let all = true;
      for (const key of keys) {
        const [accountId, folder, uid] = key;
        if (typeof uid !== 'number') continue;
        const queued = await pending.index('by-message').getAll([accountId, folder, uid]);
        const deletes = queued.filter((op) => op.kind === 'delete' && op.id !== undefined);
        if (deletes.length === 0) {
          all = false;
          continue;
        }
        deleteAll(
          pending,
          deletes.map((op) => op.id!),
        );
        const row = await messages.get(key);
        if (row?.deletedLocally) await messages.put(patchRow(row, { deletedLocally: false }));
      }
      return all;
    });
  }

  /** Changes rows as `kind` does and, for IMAP rows, queues `kind` after removing the actions it supersedes. */
  private async apply(keys: readonly MessageKey[], kind: PendingKind, now: number): Promise<MessageRow[]> {
    const unique = new Map<string, MessageKey>();
    for (const key of keys) {
      checkKey(key);
      unique.set(messageId(...key), key);
    }
    if (unique.size === 0) return [];
    const tx = this.db.transaction(['messages', 'pending'], 'readwrite');
    return runTx(tx, async () => {
      const messages = tx.objectStore('messages');
      const pending = tx.objectStore('pending');
      const list = [...unique.values()];
      const [rows, queued] = await Promise.all([
        Promise.all(list.map((key) => messages.get(key))),
        Promise.all(
          list.map(([accountId, folder, uid]) =>
            typeof uid === 'number' ? pending.index('by-message').getAll([accountId, folder, uid]) : [],
          ),
        ),
      ]);
      const changed: MessageRow[] = [];
      const superseded: number[] = [];
      const added: PendingRecord[] = [];
      list.forEach(([accountId, folder, uid], i) => {
        const row = rows[i];
        if (!row || alreadyApplied(row, kind)) return;
        changed.push(patchRow(row, effectOf(kind)));
        if (typeof uid !== 'number') return;
        for (const old of queued[i] ?? []) {
          if (old.id !== undefined && supersedes(kind, old.kind)) superseded.push(old.id);
        }
        added.push({ accountId, folder, uid, kind, createdAt: now, attempts: 0, lastError: null });
      });
      putAll(messages, changed);
      deleteAll(pending, superseded);
      addAll(pending, added);
      return changed;
    });
  }
}
