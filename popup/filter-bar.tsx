/** Which mail the list shows: all accounts or one, and for an IMAP account one of its folders. */
import { t } from '../extension/ui/i18n.ts';
import type { AccountInfo } from './account-info.ts';
import type { ListFilter } from './message-pages.ts';

export interface FilterBarProps {
  accounts: readonly AccountInfo[];
  filter: ListFilter;
  /** Folders to offer for the chosen IMAP account. */
  folders: readonly string[];
  onChange(filter: ListFilter): void;
}

/** Select values are strings: '' stands for "all". */
const ALL = '';

export function FilterBar({ accounts, filter, folders, onChange }: FilterBarProps) {
  const account = accounts.find((a) => a.id === filter.accountId);
  return (
    <div class="filter-bar">
      <select
        class="filter"
        aria-label={t('popup_filter_account')}
        value={filter.accountId ?? ALL}
        onChange={(e) => {
          const id = e.currentTarget.value;
          onChange(id === ALL ? {} : { accountId: id });
        }}
      >
        <option value={ALL}>{t('popup_filter_all_accounts')}</option>
        {accounts.map((a) => (
          <option key={a.id} value={a.id}>
            {a.name}
          </option>
        ))}
      </select>
      {account?.protocol === 'imap' && (
        <select
          class="filter"
          aria-label={t('popup_filter_folder')}
          value={filter.folder ?? ALL}
          onChange={(e) => {
            const folder = e.currentTarget.value;
            onChange(folder === ALL ? { accountId: account.id } : { accountId: account.id, folder });
          }}
        >
          <option value={ALL}>{t('popup_filter_all_folders')}</option>
          {folders.map((f) => (
            <option key={f} value={f}>
              {f}
            </option>
          ))}
        </select>
      )}
      {account && <span class="filter-swatch" style={{ background: account.color }} aria-hidden="true" />}
    </div>
  );
}
