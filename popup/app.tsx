/**
 * The popup shell: the cached list first (read straight from IndexedDB), then the background's
 * status and events; the list or the reader; the actions (sync, read state, delete with undo)
 * with their optimistic display; and the keyboard.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { MessageRow } from '../extension/store/schema.ts';
import { t } from '../extension/ui/i18n.ts';
import { send } from '../extension/ui/send.ts';
import { isSyncing, overallProgress } from './background-state.ts';
import { bannersFor } from './banners.ts';
import type { CacheReader } from './cache.ts';
import { errorText } from './error-text.ts';
import { FilterBar } from './filter-bar.tsx';
import { Header } from './header.tsx';
import type { KeyAction } from './keyboard.ts';
import { type ListEnd, MessageList, OVERSCAN } from './message-list.tsx';
import { type ListFilter, MAX_LOADED_ROWS } from './message-pages.ts';
import { NoticeBar } from './notice-bar.tsx';
import { openOptions } from './open-options.ts';
import { applyOptimistic, settleSeen, withSeen } from './optimistic.ts';
import { ReaderView } from './reader-view.tsx';
import { StateBanners } from './state-banners.tsx';
import { SyncProgressBar } from './sync-progress-bar.tsx';
import { UndoBar } from './undo-bar.tsx';
import { useAccounts } from './use-accounts.ts';
import { useBackground } from './use-background.ts';
import { useKeyboard } from './use-keyboard.ts';
import { useMessageList } from './use-message-list.ts';
import { useOnline } from './use-online.ts';
import { clampIndex, needsMore, type Range } from './virtual-window.ts';

/** Start fetching the next page this many rows before the end of what is loaded. */
const PREFETCH_ROWS = 150;
/** The list's dates say "today" relative to this; refreshed so an open popup stays right. */
const CLOCK_TICK_MS = 60_000;

/** The performance mark the browser test reads for time to first row. */
export const FIRST_ROW_MARK = 'biff-first-row';

interface Selection {
  /** The selected message, when known; else `index` alone. */
  id: string | null;
  index: number;
}

export function App({ cache }: { cache: CacheReader }) {
  const [filter, setFilter] = useState<ListFilter>({});
  const list = useMessageList(cache, filter);
  const range = useRef<Range>({ start: 0, end: 0 });

  // 1. Cached list first; the worker is woken only after the first page was read.
  const firstSettled = list.loaded !== null || list.error !== null;
  const [live, setLive] = useState(false);
  useEffect(() => {
    if (firstSettled) setLive(true);
  }, [firstSettled]);

  const filterRef = useRef(filter);
  filterRef.current = filter;
  const onMessagesChanged = useCallback(
    (accountIds: string[]) => {
      const f = filterRef.current;
      if (f.accountId !== undefined && !accountIds.includes(f.accountId)) return;
      list.refresh(range.current.end + OVERSCAN);
    },
    [list.refresh],
  );
  const bg = useBackground(live, onMessagesChanged);
  const accounts = useAccounts(bg.accounts);
  const online = useOnline();

  // The unread total: the background's when it answered, else counted in the cache once the
  // first page is on screen (the count must not delay it) and the accounts are known.
  const [cachedUnread, setCachedUnread] = useState<number | null>(null);
  const accountIds = useMemo(() => accounts?.map((a) => a.id), [accounts]);
  useEffect(() => {
    if (!live || !accountIds || bg.totalUnread !== null) return;
    let current = true;
    cache.countUnread(accountIds).then(
      (n) => current && setCachedUnread(n),
      () => {},
    );
    return () => {
      current = false;
    };
  }, [cache, live, accountIds, list.version, bg.totalUnread]);

  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), CLOCK_TICK_MS);
    return () => clearInterval(timer);
  }, []);

  // 2. What the user did that the cache does not show yet.
  const [hidden, setHidden] = useState<ReadonlySet<string>>(new Set());
  const [seenOverrides, setSeenOverrides] = useState<ReadonlyMap<string, boolean>>(new Map());
  const loadedRows = list.loaded?.rows;
  useEffect(() => {
    if (loadedRows) setSeenOverrides((seen) => settleSeen(loadedRows, seen));
  }, [loadedRows]);
  const rows = useMemo(
    () => applyOptimistic(loadedRows ?? [], hidden, seenOverrides),
    [loadedRows, hidden, seenOverrides],
  );

  useEffect(() => {
    if (rows.length > 0 && performance.getEntriesByName(FIRST_ROW_MARK).length === 0) {
      // Effects run after the browser painted the frame that shows the rows.
      performance.mark(FIRST_ROW_MARK);
    }
  }, [rows.length > 0]);

  // 3. Selection and view.
  const [selection, setSelection] = useState<Selection>({ id: null, index: 0 });
  const selectedIndex = useMemo(() => {
    const byId = selection.id === null ? -1 : rows.findIndex((r) => r.id === selection.id);
    return byId >= 0 ? byId : clampIndex(selection.index, rows.length);
  }, [rows, selection]);
  const [revealToken, setRevealToken] = useState(0);
  const [focusToken, setFocusToken] = useState(0);
  const scrollTop = useRef(0);
  const [openRow, setOpenRow] = useState<MessageRow | null>(null);
  // The open message as it is now (read state may change while it is open).
  const reading = useMemo(() => {
    if (!openRow) return null;
    const current = rows.find((r) => r.id === openRow.id);
    if (current) return current;
    const override = seenOverrides.get(openRow.id);
    return override === undefined ? openRow : withSeen(openRow, override);
  }, [openRow, rows, seenOverrides]);

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

  const [notice, setNotice] = useState<string | null>(null);
  const [undo, setUndo] = useState<{ token: string; ids: string[] } | null>(null);

  const setSeen = useCallback((row: MessageRow, seen: boolean) => {
    setSeenOverrides((m) => new Map(m).set(row.id, seen));
    send('setSeen', { ids: [row.id], seen }).catch((error: unknown) => {
      setSeenOverrides((m) => {
        const next = new Map(m);
        next.delete(row.id);
        return next;
      });
      setNotice(t('popup_mark_failed', errorText(error)));
    });
  }, []);

  const open = useCallback(
    (index: number) => {
      const row = rows[index];
      if (!row) return;
      setSelection({ id: row.id, index });
      setOpenRow(row);
      if (!row.seen && bg.settings?.openMarksRead) setSeen(row, true);
    },
    [rows, bg.settings, setSeen],
  );

  const back = useCallback(() => {
    setOpenRow(null);
    setRevealToken((n) => n + 1);
    setFocusToken((n) => n + 1);
  }, []);

  const remove = useCallback(
    (row: MessageRow) => {
      const index = rows.findIndex((r) => r.id === row.id);
      const rest = rows.filter((r) => r.id !== row.id);
      const next = rest[index] ?? rest[index - 1];
      setHidden((h) => new Set(h).add(row.id));
      setSelection({ id: next?.id ?? null, index: Math.max(0, index) });
      if (openRow) back();
      send('deleteMessages', { ids: [row.id] }).then(
        (reply) => setUndo({ token: reply.undo, ids: [row.id] }),
        (error: unknown) => {
          setHidden((h) => {
            const n = new Set(h);
            n.delete(row.id);
            return n;
          });
          setNotice(t('popup_delete_failed', errorText(error)));
        },
      );
    },
    [rows, openRow, back],
  );

  const undoDelete = useCallback(() => {
    if (!undo) return;
    const { token, ids } = undo;
    setUndo(null);
    send('undoDelete', { undo: token }).then(
      (reply) => {
        if (!reply.ok) {
          setNotice(t('popup_undo_expired'));
          return;
        }
        setHidden((h) => {
          const n = new Set(h);
          for (const id of ids) n.delete(id);
          return n;
        });
        setSelection((s) => ({ id: ids[0] ?? null, index: s.index }));
        list.refresh(range.current.end + OVERSCAN);
      },
      (error: unknown) => setNotice(t('popup_undo_failed', errorText(error))),
    );
  }, [undo, list.refresh]);

  const [syncRunning, setSyncRunning] = useState(false);
  const syncing = syncRunning || isSyncing(bg);
  const sync = useCallback(() => {
    if (syncRunning) return;
    setSyncRunning(true);
    send('syncNow', {})
      .then(
        (reply) => {
          if (!reply.ok) setNotice(t('popup_sync_incomplete'));
        },
        (error: unknown) => setNotice(t('popup_sync_failed', errorText(error))),
      )
      .finally(() => {
        setSyncRunning(false);
        void bg.refresh();
        list.refresh(range.current.end + OVERSCAN);
      });
  }, [syncRunning, bg.refresh, list.refresh]);

  // 4. Keyboard.
  const view = reading ? 'reader' : 'list';
  useKeyboard(view, (action: KeyAction) => {
    const current = reading ?? rows[selectedIndex];
    switch (action) {
      case 'next':
      case 'prev': {
        const index = selectedIndex + (action === 'next' ? 1 : -1);
        if (reading) {
          if (rows[index]) open(index);
        } else select(index, true);
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
        if (current) setSeen(current, !current.seen);
        return;
      case 'delete':
        if (current) remove(current);
        return;
      case 'sync':
        return sync();
    }
  });

  const onRange = useCallback(
    (r: Range) => {
      range.current = r;
      const loaded = list.loaded;
      if (loaded && needsMore(r.end, rows.length, loaded.next !== null && !loaded.capped, PREFETCH_ROWS))
        list.more();
    },
    [list.loaded, list.more, rows.length],
  );
  const onScroll = useCallback((top: number) => {
    scrollTop.current = top;
  }, []);
  const onSelect = useCallback((index: number) => select(index, false), [select]);
  const changeFilter = useCallback((next: ListFilter) => {
    setFilter(next);
    setSelection({ id: null, index: 0 });
    scrollTop.current = 0;
  }, []);

  // 5. What to show.
  const colors = useMemo(() => new Map((accounts ?? []).map((a) => [a.id, a.color])), [accounts]);
  const banners = bannersFor({
    accounts,
    statuses: bg.statuses,
    relay: bg.relay,
    online,
    backgroundError: bg.error,
    cacheError: list.loaded === null ? list.error : null,
  });
  const noAccounts = banners.some((b) => b.kind === 'no-accounts');
  const [folders, setFolders] = useState<string[]>([]);
  const filterAccount = accounts?.find((a) => a.id === filter.accountId);
  useEffect(() => {
    if (filterAccount?.protocol !== 'imap') {
      setFolders([]);
      return;
    }
    let current = true;
    const watched = filterAccount.folders;
    setFolders(watched);
    cache.folders(filterAccount.id).then(
      (cached) => current && setFolders([...new Set([...watched, ...cached])]),
      () => {},
    );
    return () => {
      current = false;
    };
  }, [cache, filterAccount]);

  const end: ListEnd =
    list.loaded === null
      ? 'loading'
      : list.loaded.capped
        ? 'capped'
        : list.loaded.next !== null
          ? 'more'
          : filter.folder !== undefined && filterAccount?.protocol === 'imap'
            ? 'end-of-folder'
            : 'end';
  const neverSynced = bg.statuses?.every((s) => s.lastSuccess === null) ?? false;
  const progress = overallProgress(bg.progress);
  let progressDone = 0;
  let progressTotal = 0;
  for (const p of bg.progress.values()) {
    progressDone += p.done;
    progressTotal += p.total;
  }

  const bottom = notice ? (
    <NoticeBar text={notice} onDismiss={() => setNotice(null)} />
  ) : undo ? (
    <UndoBar token={undo.token} onUndo={undoDelete} onExpire={() => setUndo(null)} />
  ) : null;

  if (reading) {
    return (
      <div class="popup">
        <ReaderView
          key={reading.id}
          row={reading}
          account={accounts?.find((a) => a.id === reading.accountId)}
          cache={cache}
          onBack={back}
          onDelete={() => remove(reading)}
          onToggleRead={() => setSeen(reading, !reading.seen)}
        />
        {bottom}
      </div>
    );
  }
  return (
    <div class="popup">
      <Header
        unread={bg.totalUnread ?? cachedUnread}
        syncing={syncing}
        onSync={sync}
        onSettings={openOptions}
      />
      {syncing && <SyncProgressBar fraction={progress} done={progressDone} total={progressTotal} />}
      <StateBanners
        banners={banners}
        accounts={accounts ?? []}
        onOpenSettings={openOptions}
        fill={noAccounts && rows.length === 0}
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
          end={end}
          cap={MAX_LOADED_ROWS}
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
