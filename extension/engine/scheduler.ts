/**
 * One sync scheduler for all accounts: per account one sync at a time (a request during a sync
 * runs once more right after it, so a push notification that lands mid-sync is never lost),
 * failures classified and kept with the time of the last successful check, and the time of
 * the next attempt (retry with backoff, or the regular interval). It owns no timers: the
 * background turns `nextCheck` into `browser.alarms`, which survive the worker being stopped.
 */
import type { AccountStatus } from '../contract.ts';
import type { SyncResult } from '../mail/sync-context.ts';
import { classifyError, retryDelayMs } from './classify.ts';

export type SyncReason = 'alarm' | 'manual' | 'push' | 'startup' | 'retry' | 'action';

export interface SchedulerDeps {
  /** Runs one sync of the account (protocol-specific). */
  run(accountId: string, signal: AbortSignal): Promise<SyncResult>;
  /** The account's regular check interval. */
  intervalMs(accountId: string): number;
  now(): number;
  /** Every status change: persist it, update the badge, tell open pages. */
  onStatus(status: AccountStatus): void;
  /** A successful sync's result: notifications. */
  onResult(accountId: string, result: SyncResult, reason: SyncReason): void;
}

interface Slot {
  status: AccountStatus;
  failures: number;
  running: Promise<AccountStatus> | null;
  queued: Promise<AccountStatus> | null;
  abort: AbortController | null;
}

/** A status for an account never checked. */
export function initialStatus(accountId: string): AccountStatus {
  return { accountId, state: 'idle', lastSuccess: null, nextCheck: null, push: false, unread: 0 };
}

export class Scheduler {
  private readonly slots = new Map<string, Slot>();

  constructor(
    private readonly deps: SchedulerDeps,
    saved: Array<AccountStatus & { failures?: number }> = [],
  ) {
    for (const s of saved) {
      // A sync that was running when the worker stopped did not finish: it is idle now.
      const status = {
        ...s,
        state: s.state === 'syncing' ? (s.error ? 'error' : 'idle') : s.state,
      } as AccountStatus;
      delete (status as { failures?: number }).failures;
      this.slots.set(s.accountId, {
        status,
        failures: s.failures ?? 0,
        running: null,
        queued: null,
        abort: null,
      });
    }
  }

  private slot(accountId: string): Slot {
    let slot = this.slots.get(accountId);
    if (!slot) {
      slot = { status: initialStatus(accountId), failures: 0, running: null, queued: null, abort: null };
      this.slots.set(accountId, slot);
    }
    return slot;
  }

  /** Current status of every known account. */
  statuses(): AccountStatus[] {
    return [...this.slots.values()].map((s) => s.status);
  }

  status(accountId: string): AccountStatus {
    return this.slot(accountId).status;
  }

  /** Failures in a row, persisted with the status so backoff survives a worker restart. */
  failures(accountId: string): number {
    return this.slot(accountId).failures;
  }

  isRunning(accountId: string): boolean {
    return this.slot(accountId).running !== null;
  }

  /** Updates fields that change outside a sync (push state, unread after a local action). */
  patch(accountId: string, patch: Partial<Pick<AccountStatus, 'push' | 'unread'>>): void {
    const slot = this.slot(accountId);
    slot.status = { ...slot.status, ...patch };
    this.deps.onStatus(slot.status);
  }

  /**
   * Syncs the account now, or right after the sync in progress. Resolves with the status
   * after that sync; never rejects (failures are in the status).
   */
  sync(accountId: string, reason: SyncReason): Promise<AccountStatus> {
    const slot = this.slot(accountId);
    // A follow-up is already promised. Checked before `running`: between the end of a sync and
    // the start of its follow-up, `running` is null for a moment, and a request then must join
    // the follow-up rather than start a second sync next to it.
    if (slot.queued) return slot.queued;
    if (slot.running) {
      slot.queued = slot.running.then(() => {
        slot.queued = null;
        // Forgotten meanwhile (the account was removed): nothing to check any more.
        if (this.slots.get(accountId) !== slot) return slot.status;
        return this.runNow(accountId, reason);
      });
      return slot.queued;
    }
    return this.runNow(accountId, reason);
  }

  private runNow(accountId: string, reason: SyncReason): Promise<AccountStatus> {
    const slot = this.slot(accountId);
    const abort = new AbortController();
    slot.abort = abort;
    const run = (async () => {
      slot.status = { ...slot.status, state: 'syncing' };
      this.deps.onStatus(slot.status);
      try {
        const result = await this.deps.run(accountId, abort.signal);
        const now = this.deps.now();
        slot.failures = 0;
        slot.status = {
          accountId,
          state: 'idle',
          lastSuccess: now,
          nextCheck: now + this.deps.intervalMs(accountId),
          push: slot.status.push,
          unread: result.unread,
        };
        this.deps.onStatus(slot.status);
        this.deps.onResult(accountId, result, reason);
      } catch (err) {
        const classified = classifyError(err);
        const now = this.deps.now();
        slot.failures += 1;
        const interval = this.deps.intervalMs(accountId);
        const nextCheck =
          classified.retry === 'soon'
            ? now + retryDelayMs(slot.failures, interval)
            : classified.retry === 'next-check'
              ? now + interval
              : null;
        const { kind, code, message, certificate } = classified;
        slot.status = {
          ...slot.status,
          state: 'error',
          error: { kind, code, message, ...(certificate ? { certificate } : {}) },
          nextCheck,
        };
        this.deps.onStatus(slot.status);
      } finally {
        slot.running = null;
        slot.abort = null;
      }
      return slot.status;
    })();
    slot.running = run;
    return run;
  }

  /**
   * Stops tracking an account (removed): aborts its sync at the next safe point and drops its
   * follow-up. Resolves once that sync has stopped writing, so the caller may then purge the
   * account's mail without a late write bringing some of it back.
   */
  async forget(accountId: string): Promise<void> {
    const slot = this.slots.get(accountId);
    if (!slot) return;
    this.slots.delete(accountId);
    slot.abort?.abort();
    await (slot.queued ?? slot.running);
  }
}
