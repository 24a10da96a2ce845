/** Folders to offer for an IMAP account: its watched folders and any others cached for it. */
import { useEffect, useState } from 'preact/hooks';
import type { AccountInfo } from './account-info.ts';
import type { CacheReader } from './cache.ts';

export function useFolders(cache: CacheReader, account: AccountInfo | undefined): string[] {
  const [folders, setFolders] = useState<string[]>([]);
  useEffect(() => {
    if (account?.protocol !== 'imap') {
      setFolders([]);
      return;
    }
    let current = true;
    const watched = account.folders;
    setFolders(watched);
    cache.folders(account.id).then(
      (cached) => current && setFolders([...new Set([...watched, ...cached])]),
      () => {},
    );
    return () => {
      current = false;
    };
  }, [cache, account]);
  return folders;
}
