/** "Sync now": starts a check of every account; spins and reports busy while any check runs. */
import { t } from '../extension/ui/i18n.ts';
import { SyncIcon } from './icons.tsx';

export interface SyncButtonProps {
  busy: boolean;
  onSync(): void;
}

export function SyncButton({ busy, onSync }: SyncButtonProps) {
  return (
    <button
      type="button"
      class={busy ? 'icon-button sync-button busy' : 'icon-button sync-button'}
      aria-label={t('popup_sync_now')}
      title={busy ? t('popup_syncing') : t('popup_sync_now')}
      aria-busy={busy}
      // Clicking while a check runs would only queue the same check again.
      aria-disabled={busy}
      onClick={() => {
        if (!busy) onSync();
      }}
    >
      <SyncIcon />
    </button>
  );
}
