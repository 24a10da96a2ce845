/** How the account shows in the popup: its name and colour. */
import { t } from '../extension/ui/i18n.ts';
import type { AccountDraft } from './account-draft.ts';
import { ColorPicker } from './color-picker.tsx';
import { TextField } from './field.tsx';
import type { DraftErrors } from './validate-draft.ts';

interface Props {
  draft: AccountDraft;
  errors: DraftErrors;
  onChange: (patch: Partial<AccountDraft>) => void;
}

export function DisplayFields({ draft, errors, onChange }: Props) {
  return (
    <fieldset class="group">
      <legend>{t('options_displayHeading')}</legend>
      <TextField
        id="account-name"
        class="wide"
        label={t('options_accountName')}
        value={draft.name}
        placeholder={draft.email.trim() || t('options_accountNamePlaceholder')}
        onInput={(name) => onChange({ name })}
        error={errors.name}
        hint={t('options_accountNameHint')}
      />
      <ColorPicker value={draft.color} onChange={(color) => onChange({ color })} error={errors.color} />
    </fieldset>
  );
}
