/** IMAP settings: which folders are watched, and how many summaries the first sync fetches. */
import { t } from '../extension/ui/i18n.ts';
import type { AccountDraft } from './account-draft.ts';
import { describedBy, FieldNotes, TextField } from './field.tsx';
import { type FolderChoice, folderChoices } from './folder-choices.ts';
import { SYNC_WINDOW } from './limits.ts';
import type { DraftErrors } from './validate-draft.ts';

interface Props {
  draft: AccountDraft;
  errors: DraftErrors;
  /** The server's folders from the last successful test, or null before one. */
  available: readonly FolderChoice[] | null;
  onChange: (patch: Partial<AccountDraft>) => void;
}

export function ImapFields({ draft, errors, available, onChange }: Props) {
  const watched = new Set(draft.folders);
  const toggle = (path: string, on: boolean) => {
    const next = on ? [...draft.folders, path] : draft.folders.filter((f) => f !== path);
    onChange({ folders: next });
  };
  const hint = available ? undefined : t('options_foldersHint');
  return (
    <fieldset class="group">
      <legend>{t('options_imapHeading')}</legend>
      <fieldset
        class="field folders"
        aria-invalid={errors.folders ? true : undefined}
        aria-describedby={describedBy('account-folders', { error: errors.folders, hint })}
      >
        <legend>{t('options_watchedFolders')}</legend>
        <ul class="folder-list">
          {folderChoices(available, draft.folders).map((folder, i) => (
            <li key={folder.path}>
              <input
                type="checkbox"
                id={`account-folder-${i}`}
                checked={watched.has(folder.path)}
                onChange={(e) => toggle(folder.path, e.currentTarget.checked)}
              />
              <label for={`account-folder-${i}`}>
                {folder.path}
                {folder.specialUse ? <span class="muted"> {folder.specialUse}</span> : null}
              </label>
            </li>
          ))}
        </ul>
        <FieldNotes id="account-folders" error={errors.folders} hint={hint} />
      </fieldset>
      <TextField
        id="account-sync-window"
        class="narrow"
        label={t('options_syncWindow')}
        type="number"
        inputMode="numeric"
        min={SYNC_WINDOW.min}
        max={SYNC_WINDOW.max}
        value={draft.syncWindow}
        onInput={(syncWindow) => onChange({ syncWindow })}
        error={errors.syncWindow}
        hint={t('options_syncWindowHint')}
      />
    </fieldset>
  );
}
