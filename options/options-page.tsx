/**
 * The options page: loads settings and accounts (`getSettings`) and their live status
 * (`getStatus`, then `status` events), and lays out the relay, accounts and preferences sections.
 */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { Account } from '../extension/accounts.ts';
import type { AccountStatus, GlobalSettings, PrimaryPasswordState } from '../extension/contract.ts';
import { errorText } from '../extension/ui/error-text.ts';
import { t } from '../extension/ui/i18n.ts';
import { onBackgroundEvent, send } from '../extension/ui/send.ts';
import { AccountsSection } from './accounts-section.tsx';
import { type Preferences, PreferencesSection } from './preferences-section.tsx';
import { PrimaryPasswordSection } from './primary-password-section.tsx';
import { RelaySection } from './relay-section.tsx';

type Loaded = {
  settings: GlobalSettings;
  accounts: readonly Account[];
  primaryPassword: PrimaryPasswordState;
};

const byId = (statuses: readonly AccountStatus[]) => new Map(statuses.map((s) => [s.accountId, s]));

export function OptionsPage() {
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [statuses, setStatuses] = useState<ReadonlyMap<string, AccountStatus>>(new Map());
  // Both settings sections save through here; each merges its part into the latest settings.
  const settingsRef = useRef<GlobalSettings | null>(null);

  const refreshStatus = useCallback(async () => {
    try {
      setStatuses(byId((await send('getStatus', {})).accounts));
    } catch {
      // Statuses are a nicety here; the list still works without them.
    }
  }, []);

  const load = useCallback(async () => {
    setLoadError(null);
    try {
      const { settings, accounts, primaryPassword } = await send('getSettings', {});
      settingsRef.current = settings;
      setLoaded({ settings, accounts, primaryPassword });
    } catch (err) {
      setLoadError(errorText(err));
      return;
    }
    await refreshStatus();
  }, [refreshStatus]);

  useEffect(() => {
    void load();
    return onBackgroundEvent((event) => {
      if (event.biffEvent === 'status') setStatuses(byId(event.accounts));
    });
  }, [load]);

  async function saveSettings(patch: Partial<GlobalSettings>) {
    const current = settingsRef.current;
    if (!current) throw new Error('settings are not loaded yet');
    const settings = { ...current, ...patch };
    await send('saveSettings', { settings });
    settingsRef.current = settings;
  }

  const locked = loaded?.primaryPassword === 'locked';
  // First while locked (what stands between the user and their mail), else after the rest;
  // keyed, so it moves rather than starting over and the outcome of the unlock stays shown.
  const primary = loaded ? (
    <PrimaryPasswordSection key="primary-password" state={loaded.primaryPassword} onChanged={load} />
  ) : null;

  return (
    <main class="page">
      <header class="page-header">
        <img src="icons/48.png" alt="" width={32} height={32} />
        <h1>{t('options_title')}</h1>
      </header>
      {loadError ? (
        <div class="card load-error" role="alert">
          <p>{t('options_loadFailed', loadError)}</p>
          <button type="button" onClick={() => void load()}>
            {t('options_retry')}
          </button>
        </div>
      ) : null}
      {!loaded && !loadError ? <p class="muted">{t('options_loading')}</p> : null}
      {loaded ? (
        <>
          {locked ? primary : null}
          {/* Keyed by the lock state: unlocking brings the pairing token the section starts from. */}
          <RelaySection
            key={loaded.primaryPassword}
            relay={loaded.settings.relay}
            locked={locked}
            save={(relay) => saveSettings({ relay })}
          />
          <AccountsSection
            accounts={loaded.accounts}
            statuses={statuses}
            setAccounts={(accounts) => setLoaded((l) => (l ? { ...l, accounts } : l))}
            onChanged={() => void refreshStatus()}
          />
          <PreferencesSection
            preferences={pickPreferences(loaded.settings)}
            save={(preferences: Preferences) => saveSettings(preferences)}
          />
          {locked ? null : primary}
        </>
      ) : null}
    </main>
  );
}

function pickPreferences(settings: GlobalSettings): Preferences {
  return {
    quietHours: settings.quietHours,
    openMarksRead: settings.openMarksRead,
    badgeMode: settings.badgeMode,
  };
}
