/** A thin bar under the header while mail is checked: determinate when the background reports counts. */
import { t } from '../extension/ui/i18n.ts';

export interface SyncProgressBarProps {
  /** 0..1, or null when the amount of work is unknown. */
  fraction: number | null;
  done: number;
  total: number;
}

export function SyncProgressBar({ fraction, done, total }: SyncProgressBarProps) {
  const label = fraction === null ? t('popup_syncing') : t('popup_sync_progress', done, total);
  return (
    <div
      class={fraction === null ? 'sync-progress indeterminate' : 'sync-progress'}
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={fraction === null ? undefined : 100}
      aria-valuenow={fraction === null ? undefined : Math.round(fraction * 100)}
    >
      <div
        class="sync-progress-fill"
        style={fraction === null ? undefined : { width: `${fraction * 100}%` }}
      />
    </div>
  );
}
