/**
 * The accounts for the filter and the colour stripes, read from storage through the settings
 * store (extension/store/settings.ts), which is where the options page saves them: no worker
 * needed, and never behind a save the engine has not reloaded yet. Stored data that fails the
 * store's validation is still shown as far as it can be (account-info.ts); `getSettings`' list
 * is the fallback when storage cannot be read at all.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { Account } from '../extension/accounts.ts';
import { localArea } from '../extension/platform.ts';
import { ACCOUNTS_KEY, SettingsStore } from '../extension/store/settings.ts';
import { type AccountInfo, fromAccounts, parseStoredAccounts } from './account-info.ts';

async function readAccounts(): Promise<AccountInfo[]> {
  try {
    return fromAccounts(await new SettingsStore(localArea).listAccounts());
  } catch (error) {
    console.warn('stored accounts did not validate; showing what can be read:', error);
    return parseStoredAccounts((await localArea.get([ACCOUNTS_KEY]))[ACCOUNTS_KEY]);
  }
}

/** Null until known; `early`, when the popup's early script read them already (boot.ts). */
export function useAccounts(
  fromSettings: readonly Account[] | null,
  early: AccountInfo[] | null = null,
): AccountInfo[] | null {
  const [stored, setStored] = useState<AccountInfo[] | null>(early);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    if (early) return;
    let live = true;
    readAccounts().then(
      (accounts) => live && setStored(accounts),
      (error: unknown) => {
        console.warn('reading accounts from storage failed:', error);
        if (live) setFailed(true);
      },
    );
    return () => {
      live = false;
    };
  }, []);
  return useMemo(
    () => stored ?? (failed && fromSettings ? fromAccounts(fromSettings) : null),
    [stored, failed, fromSettings],
  );
}
