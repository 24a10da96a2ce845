/**
 * The body of the open message: shown at once from the cache when it is there, else fetched
 * with `loadBody` and then read from the cache; either way parsed from its source here (the
 * cache keeps the source only). A failure keeps whatever part is cached (POP3 headers-first)
 * and can be retried.
 */
import { useCallback, useEffect, useState } from 'preact/hooks';
import { type ReadableBody, readableBody } from '../extension/mail/mime/readable-body.ts';
import type { BodyRow, MessageRow } from '../extension/store/schema.ts';
import { errorText } from '../extension/ui/error-text.ts';
import { send } from '../extension/ui/send.ts';
import type { CacheReader } from './cache.ts';

/** Where loading the body stands. */
export type BodyState =
  | { kind: 'loading'; partial: ReadableBody | null }
  | { kind: 'ready'; body: ReadableBody }
  | { kind: 'error'; message: string; partial: ReadableBody | null };

/** The readable parts of a row, or null when there is no row. */
async function readable(row: BodyRow | undefined): Promise<ReadableBody | null> {
  return row ? readableBody(row) : null;
}

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
      const row = await read();
      if (row?.complete) {
        // Told first: the background records the opening for the cache's eviction order.
        send('loadBody', { id }).catch(() => {});
        try {
          set({ kind: 'ready', body: (await readable(row))! });
        } catch (error) {
          set({ kind: 'error', message: errorText(error), partial: null });
        }
        return;
      }
      // A header block alone (POP3 headers-first) has nothing to show yet; it is not parsed.
      const cached = await readable(row).catch(() => null);
      set({ kind: 'loading', partial: cached });
      try {
        await send('loadBody', { id });
        const body = await readable(await read());
        if (body) set({ kind: 'ready', body });
        else set({ kind: 'error', message: errorText(new Error('not in the cache')), partial: null });
      } catch (error) {
        set({ kind: 'error', message: errorText(error), partial: cached });
      }
    })();
    return () => {
      live = false;
    };
  }, [cache, id, accountId, folder, uid, attempt]);

  const retry = useCallback(() => setAttempt((n) => n + 1), []);
  return { state, retry };
}
