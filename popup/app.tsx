/**
 * The popup shell: the cached list first (read straight from IndexedDB), then the background's
 * status and events; the list or the reader; the selection; and the keyboard. The actions and
 * their optimistic display live in use-mail-actions.ts and use-optimistic.ts.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { MessageRow } from '../extension/store/schema.ts';
import { t } from '../extension/ui/i18n.ts';
import type { AccountInfo } from './account-info.ts';
import { isSyncing, overallProgress } from './background-state.ts';
import { bannersFor } from './banners.ts';
import type { CacheReader } from './cache.ts';
import { FilterBar } from './filter-bar.tsx';
import { Header } from './header.tsx';
import type { KeyAction } from './keyboard.ts';
import { LazyReaderView, preloadReader } from './lazy-reader.tsx';
import { listEnd } from './list-end.ts';
import { MessageList, OVERSCAN } from './message-list.tsx';
import { type ListFilter, MAX_LOADED_ROWS } from './message-pages.ts';
import { NoticeBar } from './notice-bar.tsx';
import { openOptions } from './open-options.ts';
import { StateBanners } from './state-banners.tsx';
import { SyncProgressBar } from './sync-progress-bar.tsx';
import { UndoBar } from './undo-bar.tsx';
import { useAccounts } from './use-accounts.ts';
import { useBackground } from './use-background.ts';
import { useCachedUnread } from './use-cached-unread.ts';
import { useClock } from './use-clock.ts';
import { useFolders } from './use-folders.ts';
import { useKeyboard } from './use-keyboard.ts';
import { useMailActions } from './use-mail-actions.ts';
import { type EarlyPage, useMessageList } from './use-message-list.ts';
import { useOlderMail } from './use-older-mail.ts';
import { useOnline } from './use-online.ts';
import { useOptimistic } from './use-optimistic.ts';
import { clampIndex, needsMore, type Range } from './virtual-window.ts';

/** Start fetching the next page this many rows before the end of what is loaded. */
const PREFETCH_ROWS = 150;
/**
 * Ask the server for older mail when the view is this many rows from the end of the cache:
 * about a screen ahead of the footer, and not merely because a short list is open.
 */
const OLDER_PREFETCH_ROWS = 10;

/** Longest wait for an idle moment after the first page before the popup goes live anyway. */
const LIVE_AFTER_MS = 300;

/** The performance mark the browser test reads for time to first row. */
export const FIRST_ROW_MARK = 'biff-first-row';

interface Selection {
  /** The selected message, when known; else `index` alone. */
  id: string | null;
  index: number;
}

export interface AppProps {
  cache: CacheReader;
  /** The first page, read by the early script (boot.ts). */
  early?: EarlyPage;
  /** The stored accounts, read by the early script; null when it had none to give. */
  earlyAccounts?: AccountInfo[] | null;
}

export function App({ cache, early, earlyAccounts = null }: AppProps) {
  const [filter, setFilter] = useState<ListFilter>({});
  const list = useMessageList(cache, filter, early);
  const range = useRef<Range>({ start: 0, end: 0 });
  const refresh = useCallback(() => list.refresh(range.current.end + OVERSCAN), [list.refresh]);

  // 1. The cached list first. Waking the worker, reading ahead and loading the reader's code
  // wait until the browser is idle after the first page was shown, so that none of it delays
  // the frames that paint the list.
  const firstSettled = list.loaded !== null || list.error !== null;
  const [live, setLive] = useState(false);
  useEffect(() => {
    if (!firstSettled) return;
    const idle = requestIdleCallback(
      () => {
        setLive(true);
        void preloadReader().catch(() => {});
      },
      { timeout: LIVE_AFTER_MS },
    );
    return () => cancelIdleCallback(idle);
  }, [firstSettled]);

  const filterRef = useRef(filter);
  filterRef.current = filter;
  const onMessagesChanged = useCallback(
    (accountIds: string[]) => {
      const f = filterRef.current;
      if (f.accountId === undefined || accountIds.includes(f.accountId)) refresh();
    },
    [refresh],
  );
  const bg = useBackground(live, onMessagesChanged);
  const accounts = useAccounts(bg.accounts, earlyAccounts);
  const online = useOnline();
  const now = useClock();
  const accountIds = useMemo(() => accounts?.map((a) => a.id), [accounts]);
  const cachedUnread = useCachedUnread(cache, live && bg.totalUnread === null, accountIds, list.version);
  const optimistic = useOptimistic(list.loaded?.rows);
  const rows = optimistic.rows;

  useEffect(() => {
    // Effects run after the browser painted the frame that shows the rows.
    if (rows.length > 0 && performance.getEntriesByName(FIRST_ROW_MARK).length === 0)
      performance.mark(FIRST_ROW_MARK);
  }, [rows.length > 0]);

  // 2. Selection and view.
  const [selection, setSelection] = useState<Selection>({ id: null, index: 0 });
  const selectedIndex = useMemo(() => {
    const byId = selection.id === null ? -1 : rows.findIndex((r) => r.id === selection.id);
    return byId >= 0 ? byId : clampIndex(selection.index, rows.length);
  }, [rows, selection]);
  const [revealToken, setRevealToken] = useState(0);
  const [focusToken, setFocusToken] = useState(0);
  const scrollTop = useRef(0);
  const [openRow, setOpenRow] = useState<MessageRow | null>(null);
  // The open message as it is now: read state may change while it is open, and it stays
  // readable even if it left the loaded rows meanwhile.
  const reading = useMemo(
    () => (openRow ? (rows.find((r) => r.id === openRow.id) ?? optimistic.current(openRow)) : null),
    [openRow, rows, optimistic.current],
  );

  const select = useCallback(
    (index: number, focus: boolean) => {
      const i = clampIndex(index, rows.length);
      if (i < 0) return;
      setSelection({ id: rows[i]?.id ?? null, index: i });
      setRevealToken((n) => n + 1);
      if (focus) setFocusToken((n) => n + 1);
    },
    [rows],
  );
  const back = useCallback(() => {
    setOpenRow(null);
    setRevealToken((n) => n + 1);
    setFocusToken((n) => n + 1);
  }, []);

  const actions = useMailActions({
    hide: optimistic.hide,
    overrideSeen: optimistic.overrideSeen,
    refresh,
    refreshStatus: bg.refresh,
    onRestored: useCallback((ids: readonly string[]) => {
      setSelection((s) => ({ id: ids[0] ?? null, index: s.index }));
    }, []),
  });

  // "Mark read when opened" is a setting the background sends a moment after the popup opens:
  // messages opened before it arrived (a quick click on a fresh popup) wait here for it.
  const markWhenKnown = useRef(new Set<string>());
  const open = useCallback(
    (index: number) => {
      const row = rows[index];
      if (!row) return;
      setSelection({ id: row.id, index });
      setOpenRow(row);
      if (row.seen) return;
      if (bg.settings === null) markWhenKnown.current.add(row.id);
      else if (bg.settings.openMarksRead) actions.setSeen(row, true);
    },
    [rows, bg.settings, actions.setSeen],
  );
  useEffect(() => {
    const waiting = markWhenKnown.current;
    if (bg.settings === null || waiting.size === 0) return;
    if (bg.settings.openMarksRead)
      for (const row of rows) if (waiting.has(row.id) && !row.seen) actions.setSeen(row, true);
    waiting.clear();
  }, [bg.settings, rows, actions.setSeen]);

  const remove = useCallback(
    (row: MessageRow) => {
      // The selection stays at the same place: on the row that moves up into it.
      const index = rows.findIndex((r) => r.id === row.id);
      const rest = rows.filter((r) => r.id !== row.id);
      const next = rest[index] ?? rest[index - 1];
      setSelection({ id: next?.id ?? null, index: Math.max(0, index) });
      if (openRow) back();
      actions.remove(row);
    },
    [rows, openRow, back, actions.remove],
  );

  // 3. Keyboard.
  useKeyboard(reading ? 'reader' : 'list', (action: KeyAction) => {
    const current = reading ?? rows[selectedIndex];
    switch (action) {
      case 'next':
      case 'prev': {
        const index = selectedIndex + (action === 'next' ? 1 : -1);
        if (!reading) select(index, true);
        else if (rows[index]) open(index);
        return;
      }
      case 'first':
        return select(0, true);
      case 'last':
        return select(rows.length - 1, true);
      case 'open':
        return open(selectedIndex);
      case 'back':
        return back();
      case 'toggle-read':
        if (current) actions.setSeen(current, !current.seen);
        return;
      case 'delete':
        if (current) remove(current);
        return;
      case 'sync':
        return actions.sync();
    }
  });

  // Older mail from the server once the view nears the end of the cache; checked again when
  // the list or the older-mail state changes under a view that stays at the end.
  const older = useOlderMail({ cache, filter, accounts, loaded: list.loaded, refresh: list.refresh });
  const checkOlder = useCallback(() => {
    const loaded = list.loaded;
    const atEnd = loaded !== null && loaded.next === null && !loaded.capped;
    if (atEnd && range.current.end + OLDER_PREFETCH_ROWS >= rows.length) older.request();
  }, [list.loaded, rows.length, older.request]);
  useEffect(checkOlder, [checkOlder, older.status]);

  const onRange = useCallback(
    (r: Range) => {
      range.current = r;
      const loaded = list.loaded;
      const hasMore = loaded !== null && loaded.next !== null && !loaded.capped;
      if (!live) return;
      if (needsMore(r.end, rows.length, hasMore, PREFETCH_ROWS)) list.more();
      else checkOlder();
    },
    [live, list.loaded, list.more, rows.length, checkOlder],
  );
  // The range seen before going live.
  useEffect(() => {
    if (live) onRange(range.current);
  }, [live]);
  const onScroll = useCallback((top: number) => {
    scrollTop.current = top;
  }, []);
  const onSelect = useCallback((index: number) => select(index, false), [select]);
  const changeFilter = useCallback((next: ListFilter) => {
    setFilter(next);
    setSelection({ id: null, index: 0 });
    scrollTop.current = 0;
  }, []);

  // 4. What to show.
  const colors = useMemo(() => new Map((accounts ?? []).map((a) => [a.id, a.color])), [accounts]);
  const banners = bannersFor({
    accounts,
    statuses: bg.statuses,
    relay: bg.relay,
    online,
    backgroundError: bg.error,
    cacheError: list.loaded === null ? list.error : null,
    locked: bg.locked,
  });
  const noAccounts = banners.some((b) => b.kind === 'no-accounts');
  const filterAccount = accounts?.find((a) => a.id === filter.accountId);
  const folders = useFolders(cache, filterAccount);
  const neverSynced = bg.statuses?.every((s) => s.lastSuccess === null) ?? false;
  const syncing = actions.syncRunning || isSyncing(bg);
  let progressDone = 0;
  let progressTotal = 0;
  for (const p of bg.progress.values()) {
    progressDone += p.done;
    progressTotal += p.total;
  }

  const bottom = actions.notice ? (
    <NoticeBar text={actions.notice} onDismiss={actions.dismissNotice} />
  ) : actions.undo ? (
    <UndoBar token={actions.undo.token} onUndo={actions.undoDelete} onExpire={actions.expireUndo} />
  ) : null;

  if (reading) {
    return (
      <div class="popup">
        <LazyReaderView
          key={reading.id}
          row={reading}
          account={accounts?.find((a) => a.id === reading.accountId)}
          cache={cache}
          onBack={back}
          onDelete={() => remove(reading)}
          onToggleRead={() => actions.setSeen(reading, !reading.seen)}
        />
        {bottom}
      </div>
    );
  }
  return (
    <div class="popup">
      <Header
        unread={noAccounts ? null : (bg.totalUnread ?? cachedUnread)}
        syncing={syncing}
        onSync={actions.sync}
        onSettings={openOptions}
      />
      {syncing && (
        <SyncProgressBar fraction={overallProgress(bg.progress)} done={progressDone} total={progressTotal} />
      )}
      <StateBanners
        banners={banners}
        accounts={accounts ?? []}
        onOpenSettings={openOptions}
        onUnlock={bg.unlock}
        fill={noAccounts && rows.length === 0}
        relayCommand={bg.settings?.relay.startCommand}
      />
      {accounts && accounts.length > 0 && (
        <FilterBar accounts={accounts} filter={filter} folders={folders} onChange={changeFilter} />
      )}
      {!(noAccounts && rows.length === 0) && (
        <MessageList
          rows={rows}
          colors={colors}
          selectedIndex={selectedIndex}
          revealToken={revealToken}
          focusToken={focusToken}
          end={listEnd(
            list.loaded,
            older.status,
            filter.folder !== undefined && filterAccount?.protocol === 'imap',
          )}
          cap={MAX_LOADED_ROWS}
          olderError={older.error}
          onRetryOlder={older.retry}
          emptyText={neverSynced ? t('popup_empty_never_synced') : t('popup_empty_filter')}
          initialScrollTop={scrollTop.current}
          now={now}
          onOpen={open}
          onSelect={onSelect}
          onRange={onRange}
          onScroll={onScroll}
        />
      )}
      {bottom}
    </div>
  );
}
