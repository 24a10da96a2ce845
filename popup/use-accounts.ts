/**
 * The accounts for the filter and the colour stripes: read from storage at once (no worker
 * needed), replaced by `getSettings`' list when the background answers.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { Account } from '../extension/accounts.ts';
import { localArea } from '../extension/platform.ts';
import { ACCOUNTS_STORAGE_KEY, type AccountInfo, fromAccounts, parseStoredAccounts } from './account-info.ts';

/** Null until either source answered. */
export function useAccounts(fromSettings: readonly Account[] | null): AccountInfo[] | null {
  const [stored, setStored] = useState<AccountInfo[] | null>(null);
  useEffect(() => {
    let live = true;
    localArea.get(ACCOUNTS_STORAGE_KEY).then(
      (items) => {
        if (live) setStored(parseStoredAccounts(items[ACCOUNTS_STORAGE_KEY]));
      },
      (error: unknown) => console.warn('reading accounts from storage failed:', error),
    );
    return () => {
      live = false;
    };
  }, []);
  return useMemo(() => (fromSettings ? fromAccounts(fromSettings) : stored), [fromSettings, stored]);
}
