/**
 * Older IMAP mail on demand: which folders to ask the background to extend (`loadOlder`) when
 * the list has reached the end of the cache, and which of them certainly have nothing older.
 * Pure, so it is tested without a worker or a server.
 */
import type { FolderRow, MessageRow } from '../extension/store/schema.ts';
import type { AccountInfo } from './account-info.ts';
import type { ListFilter } from './message-pages.ts';

/** Messages asked for per folder at a time: a few screens of scrolling, one short server round. */
export const OLDER_BATCH = 200;

/** One IMAP folder whose cache can be extended downward. */
export interface OlderTarget {
  accountId: string;
  folder: string;
}

/** Where a list footer stands on older mail. */
export type OlderStatus =
  /** Older mail may exist on the server; it is asked for once the list nears its end. */
  | 'pending'
  /** Asking the server. */
  | 'loading'
  /** The last ask failed; the user retries. */
  | 'failed'
  /** Nothing older exists: everything is cached, or the server said there is no more. */
  | 'done'
  /** Some folder was never synchronised, so whether older mail exists is not known. */
  | 'unknown';

/** A stable key for a target (folder paths may contain any character but NUL). */
export function targetKey(target: OlderTarget): string {
  return `${target.accountId}\u0000${target.folder}`;
}

/**
 * The IMAP folders a filter shows: the chosen folder, the chosen account's watched folders, or
 * with "All accounts" every IMAP account's watched folders. POP3 accounts have none: they keep
 * every message locally.
 */
export function olderTargets(filter: ListFilter, accounts: readonly AccountInfo[]): OlderTarget[] {
  const targets: OlderTarget[] = [];
  for (const account of accounts) {
    if (account.protocol !== 'imap') continue;
    if (filter.accountId !== undefined && account.id !== filter.accountId) continue;
    const folders = filter.folder !== undefined ? [filter.folder] : account.folders;
    for (const folder of new Set(folders)) targets.push({ accountId: account.id, folder });
  }
  return targets;
}

/** What `planOlder` decides from. */
export interface OlderPlanInput {
  targets: readonly OlderTarget[];
  /** The stored folder rows of the targets' accounts (STATUS counts as of their last sync). */
  folders: readonly FolderRow[];
  /** Every row of the list: it reached the end of the cache, so this is all it holds for the filter. */
  rows: readonly Pick<MessageRow, 'accountId' | 'folder'>[];
  /** Keys of targets the server said have nothing older. */
  exhausted: ReadonlySet<string>;
}

/** Which targets to ask for older mail, and which cannot be judged yet. */
export interface OlderPlan {
  ask: OlderTarget[];
  /** Never synchronised (no folder row): `loadOlder` would refuse them until a sync ran. */
  unknown: OlderTarget[];
}

/**
 * Splits the targets. A folder whose cached rows already number at least its STATUS MESSAGES
 * holds everything, so it is not asked: the popup then opens no server connection just because
 * a short list fits on one screen.
 */
export function planOlder(input: OlderPlanInput): OlderPlan {
  const cached = new Map<string, number>();
  for (const row of input.rows) {
    const key = targetKey({ accountId: row.accountId, folder: row.folder });
    cached.set(key, (cached.get(key) ?? 0) + 1);
  }
  const folders = new Map(
    input.folders.map((f) => [targetKey({ accountId: f.accountId, folder: f.path }), f]),
  );
  const plan: OlderPlan = { ask: [], unknown: [] };
  for (const target of input.targets) {
    const key = targetKey(target);
    if (input.exhausted.has(key)) continue;
    const folder = folders.get(key);
    if (!folder || folder.uidValidity === null || folder.uidNext === null) plan.unknown.push(target);
    else if ((cached.get(key) ?? 0) < folder.messages) plan.ask.push(target);
  }
  return plan;
}

/** What one round of `loadOlder` answers came to. */
export interface OlderRound {
  /** Messages stored across the targets. */
  added: number;
  /** Keys of targets with nothing more to load. */
  exhausted: string[];
  /** The first failure, or null. */
  failure: unknown;
}

/** Sums the settled `loadOlder` calls of one round, in the order of `asked`. */
export function summariseRound(
  asked: readonly OlderTarget[],
  results: readonly PromiseSettledResult<{ added: number; exhausted: boolean }>[],
): OlderRound {
  const round: OlderRound = { added: 0, exhausted: [], failure: null };
  results.forEach((result, i) => {
    const target = asked[i];
    if (!target) return;
    if (result.status === 'rejected') {
      round.failure ??= result.reason ?? new Error('loadOlder failed');
      return;
    }
    round.added += result.value.added;
    // Nothing added means asking again would add nothing either (the server's answer would
    // repeat): treat it as the end, so the list never asks in a loop.
    if (result.value.exhausted || result.value.added === 0) round.exhausted.push(targetKey(target));
  });
  return round;
}
