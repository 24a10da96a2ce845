/**
 * Older IMAP mail on demand for the list: when the view nears the end of the cache, ask the
 * background to extend each folder the filter shows (`loadOlder`), then re-read the list through
 * the new rows. Folders with nothing older are remembered while the popup is open; a failure
 * waits for "Try again" instead of retrying on every scroll.
 */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { errorText, withTimeout } from '../extension/ui/error-text.ts';
import { send } from '../extension/ui/send.ts';
import type { AccountInfo } from './account-info.ts';
import type { CacheReader } from './cache.ts';
import type { ListFilter, Loaded } from './message-pages.ts';
import { OLDER_BATCH, type OlderStatus, olderTargets, planOlder, summariseRound } from './older-mail.ts';

/**
 * How long one round may take. The background runs it after any check of the same account
 * already in progress (one IMAP job per account), so this allows for a sync ahead of it.
 */
export const OLDER_TIMEOUT_MS = 60_000;

export interface OlderMailInput {
  cache: CacheReader;
  filter: ListFilter;
  /** Null until known. */
  accounts: readonly AccountInfo[] | null;
  loaded: Loaded | null;
  /** Re-reads the newest `count` rows; resolves when they were read. */
  refresh(count: number): Promise<void>;
}

export interface OlderMail {
  status: OlderStatus;
  /** Why the last round failed, with status `failed`. */
  error: string | null;
  /** The view is at the end of the cached rows: load older mail if there may be some. */
  request(): void;
  /** After a failure: try again now. */
  retry(): void;
}

export function useOlderMail(input: OlderMailInput): OlderMail {
  const [state, setState] = useState<{ status: OlderStatus; error: string | null }>({
    status: 'pending',
    error: null,
  });
  const latest = useRef(input);
  latest.current = input;
  const status = useRef<OlderStatus>('pending');
  /** Keys of folders the server has nothing older for (older.ts never makes more appear). */
  const exhausted = useRef(new Set<string>());
  /** Filter generation; a round of an older generation changes nothing when it ends. */
  const generation = useRef(0);
  /** Generation of the round in progress, if any. */
  const busy = useRef<number | null>(null);
  /** The list a `done` or `unknown` verdict was reached for: the same list needs no new look. */
  const judged = useRef<Loaded | null>(null);

  const set = useCallback((next: OlderStatus, error: string | null = null) => {
    status.current = next;
    setState({ status: next, error });
  }, []);

  const { accountId, folder } = input.filter;
  useEffect(() => {
    generation.current += 1;
    judged.current = null;
    set('pending');
  }, [accountId, folder, set]);

  const run = useCallback(async () => {
    const { cache, filter, accounts, loaded, refresh } = latest.current;
    const gen = generation.current;
    if (busy.current === gen || !accounts || !loaded || loaded.next !== null || loaded.capped) return;
    if (status.current === 'failed' || status.current === 'loading') return;
    if ((status.current === 'done' || status.current === 'unknown') && judged.current === loaded) return;
    const targets = olderTargets(filter, accounts);
    busy.current = gen;
    try {
      for (;;) {
        const ids = [...new Set(targets.map((t) => t.accountId))];
        const folders = (await Promise.all(ids.map((id) => cache.folderRows(id)))).flat();
        if (gen !== generation.current) return;
        const plan = planOlder({ targets, folders, rows: loaded.rows, exhausted: exhausted.current });
        if (plan.ask.length === 0) {
          judged.current = loaded;
          set(plan.unknown.length > 0 ? 'unknown' : 'done');
          return;
        }
        set('loading');
        const results = await Promise.allSettled(
          plan.ask.map((t) => withTimeout(send('loadOlder', { ...t, count: OLDER_BATCH }), OLDER_TIMEOUT_MS)),
        );
        const round = summariseRound(plan.ask, results);
        for (const key of round.exhausted) exhausted.current.add(key);
        if (gen !== generation.current) return;
        // Older rows may sort anywhere (an older UID can carry a newer date, and with several
        // folders they interleave), so the list is read again from the top through them.
        if (round.added > 0) await refresh(loaded.rows.length + round.added);
        if (gen !== generation.current) return;
        if (round.failure !== null) {
          set('failed', errorText(round.failure));
          return;
        }
        if (round.added > 0) {
          // The list is longer now: the next round starts when the view nears its new end.
          set('pending');
          return;
        }
        // Every folder asked turned out to have nothing older: the next plan settles it.
      }
    } catch (error) {
      if (gen === generation.current) set('failed', errorText(error));
    } finally {
      if (busy.current === gen) busy.current = null;
    }
  }, [set]);

  const request = useCallback(() => void run(), [run]);
  const retry = useCallback(() => {
    if (status.current !== 'failed') return;
    set('pending');
    void run();
  }, [run, set]);

  return { ...state, request, retry };
}
