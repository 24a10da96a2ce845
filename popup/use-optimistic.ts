/**
 * The user's changes the cache does not show yet (optimistic.ts), as state: hidden (deleted)
 * rows and read-state overrides, laid over the loaded rows, each override dropped once the
 * cache agrees.
 */
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import type { MessageRow } from '../extension/store/schema.ts';
import { applyOptimistic, settleSeen, withSeen } from './optimistic.ts';

export function useOptimistic(loaded: readonly MessageRow[] | undefined) {
  const [hidden, setHidden] = useState<ReadonlySet<string>>(new Set());
  const [seen, setSeen] = useState<ReadonlyMap<string, boolean>>(new Map());
  useEffect(() => {
    if (loaded) setSeen((s) => settleSeen(loaded, s));
  }, [loaded]);
  const rows = useMemo(() => applyOptimistic(loaded ?? [], hidden, seen), [loaded, hidden, seen]);

  const hide = useCallback((ids: readonly string[], hide: boolean) => {
    setHidden((h) => {
      const next = new Set(h);
      for (const id of ids) {
        if (hide) next.add(id);
        else next.delete(id);
      }
      return next;
    });
  }, []);
  const overrideSeen = useCallback((id: string, value: boolean | undefined) => {
    setSeen((s) => {
      const next = new Map(s);
      if (value === undefined) next.delete(id);
      else next.set(id, value);
      return next;
    });
  }, []);
  /** A row that may no longer be loaded (the open message), with its override applied. */
  const current = useCallback(
    (row: MessageRow) => {
      const value = seen.get(row.id);
      return value === undefined || value === row.seen ? row : withSeen(row, value);
    },
    [seen],
  );

  return { rows, hide, overrideSeen, current };
}
