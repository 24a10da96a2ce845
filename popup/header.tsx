/** The popup's top bar: the unread total, "Sync now" and the way to settings. */
import { t } from '../extension/ui/i18n.ts';
import { SettingsIcon } from './icons.tsx';
import { SyncButton } from './sync-button.tsx';

export interface HeaderProps {
  /** Null while not known (or meaningless, with no accounts). */
  unread: number | null;
  syncing: boolean;
  onSync(): void;
  onSettings(): void;
}

export function Header({ unread, syncing, onSync, onSettings }: HeaderProps) {
  return (
    <header class="header">
      <h1 class="header-title">{t('popup_title')}</h1>
      <span class={unread ? 'unread-total has-unread' : 'unread-total'} aria-live="polite">
        {unread === null ? '' : unread > 0 ? t('popup_unread_count', unread) : t('popup_all_read')}
      </span>
      <span class="header-spacer" />
      {syncing && (
        <span class="visually-hidden" role="status">
          {t('popup_syncing')}
        </span>
      )}
      <SyncButton busy={syncing} onSync={onSync} />
      <button
        type="button"
        class="icon-button"
        aria-label={t('popup_settings')}
        title={t('popup_settings')}
        onClick={onSettings}
      >
        <SettingsIcon />
      </button>
    </header>
  );
}
