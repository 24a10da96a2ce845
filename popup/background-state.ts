/**
 * What the popup knows from the background, and how each broadcast event changes it. Pure, so
 * the event handling is tested without a browser.
 */
import type { Account } from '../extension/accounts.ts';
import type { AccountStatus, BackgroundEvent, GlobalSettings, RelayStatus } from '../extension/contract.ts';

/** Progress of one account's running check. */
export interface Progress {
  done: number;
  total: number;
}

/** What the popup knows from the background. */
export interface BackgroundState {
  /** Null until `getStatus` answered. */
  statuses: AccountStatus[] | null;
  totalUnread: number | null;
  relay: RelayStatus | null;
  /** Null until `getSettings` answered. */
  settings: GlobalSettings | null;
  accounts: Account[] | null;
  /** The primary password waits to be entered: nothing is checked until then. */
  locked: boolean;
  /** Why the background did not answer; null while it does. */
  error: string | null;
  /** Per account, while it syncs. */
  progress: ReadonlyMap<string, Progress>;
}

/** Before anything was heard. */
export const INITIAL_BACKGROUND: BackgroundState = {
  statuses: null,
  totalUnread: null,
  relay: null,
  settings: null,
  accounts: null,
  locked: false,
  error: null,
  progress: new Map(),
};

/** Applies one background event to the state. */
export function applyEvent(state: BackgroundState, event: BackgroundEvent): BackgroundState {
  switch (event.biffEvent) {
    case 'status': {
      // A finished account's progress is over.
      const progress = new Map(state.progress);
      for (const s of event.accounts) if (s.state !== 'syncing') progress.delete(s.accountId);
      return {
        ...state,
        statuses: event.accounts,
        totalUnread: event.totalUnread,
        locked: event.locked,
        error: null,
        progress,
      };
    }
    case 'sync-progress': {
      const progress = new Map(state.progress);
      if (event.total > 0 && event.done >= event.total) progress.delete(event.accountId);
      else progress.set(event.accountId, { done: event.done, total: event.total });
      return { ...state, progress };
    }
    case 'messages-changed':
      return state;
  }
}

/** Whether anything is syncing, by the statuses or by a running progress. */
export function isSyncing(state: BackgroundState): boolean {
  return state.progress.size > 0 || (state.statuses?.some((s) => s.state === 'syncing') ?? false);
}

/** All running checks as one fraction in 0..1, or null when no total is known. */
export function overallProgress(progress: ReadonlyMap<string, Progress>): number | null {
  let done = 0;
  let total = 0;
  for (const p of progress.values()) {
    done += Math.min(p.done, p.total);
    total += p.total;
  }
  return total > 0 ? done / total : null;
}
