/** A failed action, said once at the bottom until dismissed or replaced. */
import { t } from '../extension/ui/i18n.ts';

export function NoticeBar({ text, onDismiss }: { text: string; onDismiss(): void }) {
  return (
    <div class="snackbar snackbar-error" role="alert">
      <span>{text}</span>
      <button type="button" class="snackbar-action" onClick={onDismiss}>
        {t('popup_dismiss')}
      </button>
    </div>
  );
}
