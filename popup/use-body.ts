/**
 * The body of the open message: shown at once from the cache when it is there, else fetched
 * with `loadBody` and then read from the cache. A failure keeps whatever part is cached (POP3
 * headers-first) and can be retried.
 */
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { BodyRow, MessageRow } from '../extension/store/schema.ts';
import { send } from '../extension/ui/send.ts';
import type { CacheReader } from './cache.ts';
import { errorText } from './error-text.ts';

/** Where loading the body stands. */
export type BodyState =
  | { kind: 'loading'; partial: BodyRow | null }
  | { kind: 'ready'; body: BodyRow }
  | { kind: 'error'; message: string; partial: BodyRow | null };

export function useBody(cache: CacheReader, row: Pick<MessageRow, 'id' | 'accountId' | 'folder' | 'uid'>) {
  const [state, setState] = useState<BodyState>({ kind: 'loading', partial: null });
  const [attempt, setAttempt] = useState(0);
  const { id, accountId, folder, uid } = row;

  useEffect(() => {
    let live = true;
    const set = (s: BodyState) => {
      if (live) setState(s);
    };
    setState({ kind: 'loading', partial: null });
    (async () => {
      const read = () => cache.body([accountId, folder, uid]).catch(() => undefined);
      const cached = await read();
      if (cached?.complete) {
        set({ kind: 'ready', body: cached });
        // Still tell the background: it records the opening for the cache's eviction order.
        send('loadBody', { id }).catch(() => {});
        return;
      }
      set({ kind: 'loading', partial: cached ?? null });
      try {
        await send('loadBody', { id });
        const body = await read();
        if (body) set({ kind: 'ready', body });
        else set({ kind: 'error', message: errorText(new Error('not in the cache')), partial: null });
      } catch (error) {
        set({ kind: 'error', message: errorText(error), partial: cached ?? null });
      }
    })();
    return () => {
      live = false;
    };
  }, [cache, id, accountId, folder, uid, attempt]);

  const retry = useCallback(() => setAttempt((n) => n + 1), []);
  return { state, retry };
}
