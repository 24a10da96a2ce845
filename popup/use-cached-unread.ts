/**
 * The unread total counted in the cache, for the header until the background answers. Counted
 * only once the first page is on screen (`enabled`), so it never delays it, and again after
 * every read of the list (`version`).
 */
import { useEffect, useState } from 'preact/hooks';
import type { CacheReader } from './cache.ts';

export function useCachedUnread(
  cache: CacheReader,
  enabled: boolean,
  accountIds: readonly string[] | undefined,
  version: number,
): number | null {
  const [count, setCount] = useState<number | null>(null);
  useEffect(() => {
    if (!enabled || !accountIds) return;
    let current = true;
    cache.countUnread(accountIds).then(
      (n) => current && setCount(n),
      () => {},
    );
    return () => {
      current = false;
    };
  }, [cache, enabled, accountIds, version]);
  return count;
}
