/**
 * The loaded part of the message list for one filter: the first page as soon as the cache is
 * open, more pages as the view nears the end, and a refresh through the visible rows when the
 * background says mail changed. Keeps stale reads from landing: a filter change or refresh
 * invalidates reads that started before it.
 */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { Page } from '../extension/store/messages-repo.ts';
import { errorText } from '../extension/ui/error-text.ts';
import type { CacheReader } from './cache.ts';
import {
  FIRST_PAGE,
  firstLoaded,
  type ListFilter,
  type Loaded,
  loadFirst,
  loadMore,
  reloadHead,
} from './message-pages.ts';

/**
 * The unfiltered list's first page (FIRST_PAGE rows), read before the list existed (boot.ts):
 * `now` when it had arrived by the first render, else `later`.
 */
export interface EarlyPage {
  now: Page | null;
  later: Promise<Page>;
}

/** The list as the view sees it. */
export interface MessageListState {
  /** Null until the first page of this filter was read. */
  loaded: Loaded | null;
  loadingMore: boolean;
  /** Why the last read failed, or null. */
  error: string | null;
  /** Increases with every successful read, so derived reads (unread count) can follow. */
  version: number;
}

/** A running refresh: the largest count asked for meanwhile, and who waits for that read. */
interface RefreshJob {
  again: number | null;
  waiting: Array<() => void>;
}

/**
 * `more()` asks for the next page; `refresh(count)` re-reads the newest `count` rows and
 * resolves once they were read (or a filter change made the read moot). `early` stands in for
 * the first read of the unfiltered list, once.
 */
export function useMessageList(cache: CacheReader, filter: ListFilter, early: EarlyPage | null = null) {
  const [state, setState] = useState<MessageListState>(() => ({
    loaded: early?.now ? firstLoaded(early.now) : null,
    loadingMore: false,
    error: null,
    version: early?.now ? 1 : 0,
  }));
  const earlyRef = useRef(early);
  const current = useRef<Loaded | null>(state.loaded);
  const generation = useRef(0);
  const loadingMore = useRef(false);
  const refreshing = useRef<RefreshJob | null>(null);
  const filterRef = useRef(filter);
  filterRef.current = filter;
  const list = useCallback((q: Parameters<CacheReader['listNewest']>[0]) => cache.listNewest(q), [cache]);

  const commit = useCallback((loaded: Loaded) => {
    current.current = loaded;
    setState((s) => ({ loaded, loadingMore: false, error: null, version: s.version + 1 }));
  }, []);
  const fail = useCallback((error: unknown) => {
    loadingMore.current = false;
    setState((s) => ({ ...s, loadingMore: false, error: errorText(error) }));
  }, []);

  const { accountId, folder } = filter;
  useEffect(() => {
    const gen = ++generation.current;
    const f: ListFilter =
      accountId === undefined ? {} : folder === undefined ? { accountId } : { accountId, folder };
    const taken = accountId === undefined ? earlyRef.current : null;
    earlyRef.current = null;
    // Already on screen since the first render.
    if (taken?.now) return;
    current.current = null;
    loadingMore.current = false;
    setState((s) => ({ ...s, loaded: null, loadingMore: false, error: null }));
    const first = taken
      ? taken.later.then(firstLoaded, () => loadFirst(list, f, FIRST_PAGE))
      : loadFirst(list, f, FIRST_PAGE);
    first.then(
      (loaded) => {
        performance.mark('biff-first-page');
        return gen === generation.current && commit(loaded);
      },
      (error: unknown) => gen === generation.current && fail(error),
    );
  }, [list, accountId, folder, commit, fail]);

  const more = useCallback(() => {
    const base = current.current;
    if (!base || base.next === null || base.capped || loadingMore.current) return;
    loadingMore.current = true;
    setState((s) => ({ ...s, loadingMore: true }));
    loadMore(list, filterRef.current, base).then(
      (loaded) => {
        // Only onto what it was read after: a refresh or filter change meanwhile wins.
        if (current.current !== base) return;
        loadingMore.current = false;
        commit(loaded);
      },
      (error: unknown) => current.current === base && fail(error),
    );
  }, [list, commit, fail]);

  const refresh = useCallback(
    (count: number): Promise<void> =>
      new Promise<void>((done) => {
        // A burst of changes (a sync storing batches) becomes one refresh now and one after it;
        // each caller's promise settles when a read that covers its request has finished.
        if (refreshing.current) {
          refreshing.current.again = Math.max(refreshing.current.again ?? 0, count);
          refreshing.current.waiting.push(done);
          return;
        }
        const run = (n: number, waiting: Array<() => void>) => {
          const gen = ++generation.current;
          loadingMore.current = false;
          const job: RefreshJob = { again: null, waiting: [] };
          refreshing.current = job;
          reloadHead(list, filterRef.current, n)
            .then(
              (loaded) => gen === generation.current && commit(loaded),
              (error: unknown) => gen === generation.current && fail(error),
            )
            .finally(() => {
              refreshing.current = null;
              for (const settle of waiting) settle();
              if (job.again !== null) run(job.again, job.waiting);
            });
        };
        run(count, [done]);
      }),
    [list, commit, fail],
  );

  return { ...state, more, refresh };
}
