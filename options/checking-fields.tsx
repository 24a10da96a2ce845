/** When and whether the account is checked, and whether new mail notifies. */
import { t } from '../extension/ui/i18n.ts';
import type { AccountDraft } from './account-draft.ts';
import { CheckboxField, TextField } from './field.tsx';
import { CHECK_INTERVAL_MINUTES } from './limits.ts';
import type { DraftErrors } from './validate-draft.ts';

interface Props {
  draft: AccountDraft;
  errors: DraftErrors;
  onChange: (patch: Partial<AccountDraft>) => void;
}

export function CheckingFields({ draft, errors, onChange }: Props) {
  return (
    <fieldset class="group">
      <legend>{t('options_checkingHeading')}</legend>
      <CheckboxField
        id="account-enabled"
        label={t('options_enabled')}
        checked={draft.enabled}
        onChange={(enabled) => onChange({ enabled })}
      />
      <TextField
        id="account-interval"
        class="narrow"
        label={t('options_checkInterval')}
        type="number"
        inputMode="numeric"
        min={CHECK_INTERVAL_MINUTES.min}
        max={CHECK_INTERVAL_MINUTES.max}
        value={draft.checkInterval}
        onInput={(checkInterval) => onChange({ checkInterval })}
        error={errors.checkInterval}
        hint={draft.protocol === 'imap' ? t('options_checkIntervalHintImap') : undefined}
      />
      <CheckboxField
        id="account-notify"
        label={t('options_notify')}
        checked={draft.notify}
        onChange={(notify) => onChange({ notify })}
      />
    </fieldset>
  );
}
