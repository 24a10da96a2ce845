/** POP3 settings: whether mail stays on the server, and when Biff removes it there. */
import { t } from '../extension/ui/i18n.ts';
import type { AccountDraft } from './account-draft.ts';
import { CheckboxField, describedBy, FieldNotes } from './field.tsx';
import { DELETE_AFTER_DAYS } from './limits.ts';
import type { DraftErrors } from './validate-draft.ts';

interface Props {
  draft: AccountDraft;
  errors: DraftErrors;
  onChange: (patch: Partial<AccountDraft>) => void;
}

export function Pop3Fields({ draft, errors, onChange }: Props) {
  const keepOff = !draft.leaveCopy;
  const error = errors.deleteAfterDays;
  return (
    <fieldset class="group">
      <legend>{t('options_pop3Heading')}</legend>
      <CheckboxField
        id="account-leave-copy"
        label={t('options_leaveCopy')}
        checked={draft.leaveCopy}
        onChange={(leaveCopy) => onChange({ leaveCopy })}
        hint={keepOff ? t('options_leaveCopyOffHint') : undefined}
      />
      <div class="field check nested">
        <div class="field-row">
          <input
            id="account-delete-after"
            type="checkbox"
            checked={draft.deleteAfter}
            disabled={keepOff}
            onChange={(e) => onChange({ deleteAfter: e.currentTarget.checked })}
            // The name reads the whole sentence, number included: "Remove from the server after 14 days".
            aria-label={t('options_deleteAfterName', draft.deleteAfterDays.trim() || '…')}
          />
          <label for="account-delete-after">{t('options_deleteAfterBefore')}</label>
          <input
            id="account-delete-days"
            class="days"
            type="number"
            inputMode="numeric"
            min={DELETE_AFTER_DAYS.min}
            max={DELETE_AFTER_DAYS.max}
            value={draft.deleteAfterDays}
            disabled={keepOff || !draft.deleteAfter}
            onInput={(e) => onChange({ deleteAfterDays: e.currentTarget.value })}
            aria-label={t('options_deleteAfterDaysLabel')}
            aria-invalid={error ? true : undefined}
            aria-describedby={describedBy('account-delete-days', { error })}
          />
          <span>{t('options_deleteAfterUnit')}</span>
        </div>
        <FieldNotes id="account-delete-days" error={error} />
      </div>
      <div class="nested">
        <CheckboxField
          id="account-delete-here"
          label={t('options_deleteWhenDeletedHere')}
          checked={draft.deleteWhenDeletedHere}
          disabled={keepOff}
          onChange={(deleteWhenDeletedHere) => onChange({ deleteWhenDeletedHere })}
        />
      </div>
    </fieldset>
  );
}
