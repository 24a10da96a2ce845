/**
 * The "Accounts" section: the ordered list with its actions, or the editor for one account
 * (one at a time, so the form has exactly one "Save" and one "Password").
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Account } from '../extension/accounts.ts';
import type { AccountStatus } from '../extension/contract.ts';
import { errorText } from '../extension/ui/error-text.ts';
import { t } from '../extension/ui/i18n.ts';
import { send } from '../extension/ui/send.ts';
import { AccountEditor } from './account-editor.tsx';
import { AccountRow } from './account-row.tsx';
import { moveItem } from './reorder.ts';

interface Props {
  accounts: readonly Account[];
  statuses: ReadonlyMap<string, AccountStatus>;
  setAccounts: (accounts: readonly Account[]) => void;
  /** The background saved or removed an account: refresh statuses. */
  onChanged: () => void;
}

/** Where focus goes once the list is back (the editor closed, or a row moved). */
type FocusTarget = { id: string } | null;

export function AccountsSection({ accounts, statuses, setAccounts, onChanged }: Props) {
  const [editing, setEditing] = useState<{ account: Account | null } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [focusTarget, setFocusTarget] = useState<FocusTarget>(null);
  const addRef = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (!focusTarget || editing) return;
    const element = document.getElementById(focusTarget.id) as HTMLButtonElement | null;
    (element && !element.disabled ? element : addRef.current)?.focus();
    setFocusTarget(null);
  }, [focusTarget, editing]);

  async function move(index: number, delta: -1 | 1) {
    const previous = accounts;
    const next = moveItem(accounts, index, delta);
    if (next === previous) return;
    const moved = next[index + delta]!;
    setAccounts(next);
    // Moving the element blurs it; keep focus on the same button unless it is now disabled.
    const stillMovable = delta < 0 ? index + delta > 0 : index + delta < next.length - 1;
    const same = delta < 0 ? 'up' : 'down';
    const other = delta < 0 ? 'down' : 'up';
    setFocusTarget({ id: `move-${stillMovable ? same : other}-${moved.id}` });
    setError(null);
    try {
      await send('reorderAccounts', { ids: next.map((a) => a.id) });
    } catch (err) {
      setAccounts(previous);
      setError(t('options_reorderFailed', errorText(err)));
    }
  }

  async function remove(account: Account) {
    // A native confirm: removal also deletes the account's cached mail, and cannot be undone.
    if (!window.confirm(t('options_removeConfirm', account.name || account.email))) return;
    setError(null);
    try {
      await send('removeAccount', { accountId: account.id });
      setAccounts(accounts.filter((a) => a.id !== account.id));
      setFocusTarget({ id: 'add-account' });
      onChanged();
    } catch (err) {
      setError(t('options_removeFailed', errorText(err)));
    }
  }

  function closeEditor(saved: Account | null) {
    const wasEditing = editing?.account ?? null;
    if (saved) {
      const exists = accounts.some((a) => a.id === saved.id);
      setAccounts(exists ? accounts.map((a) => (a.id === saved.id ? saved : a)) : [...accounts, saved]);
      onChanged();
    }
    setEditing(null);
    setFocusTarget({ id: wasEditing ? `edit-${wasEditing.id}` : saved ? `edit-${saved.id}` : 'add-account' });
  }

  return (
    <section class="card" aria-labelledby={editing ? 'editor-heading' : 'accounts-heading'}>
      {editing ? (
        <AccountEditor
          account={editing.account}
          usedColors={accounts.map((a) => a.color)}
          onSaved={(account) => closeEditor(account)}
          onCancel={() => closeEditor(null)}
        />
      ) : (
        <>
          <h2 id="accounts-heading">{t('options_accountsHeading')}</h2>
          {accounts.length === 0 ? (
            <p class="empty muted">{t('options_noAccounts')}</p>
          ) : (
            <ul class="account-list" aria-labelledby="accounts-heading">
              {accounts.map((account, index) => (
                <AccountRow
                  key={account.id}
                  account={account}
                  status={statuses.get(account.id)}
                  first={index === 0}
                  last={index === accounts.length - 1}
                  onMove={(delta) => void move(index, delta)}
                  onEdit={() => setEditing({ account })}
                  onRemove={() => void remove(account)}
                  onSignedIn={onChanged}
                />
              ))}
            </ul>
          )}
          {error ? (
            <p class="inline-error" role="alert">
              {error}
            </p>
          ) : null}
          <div class="actions">
            <button
              type="button"
              class="primary"
              id="add-account"
              ref={addRef}
              onClick={() => {
                setError(null);
                setEditing({ account: null });
              }}
            >
              {t('options_addAccount')}
            </button>
          </div>
        </>
      )}
    </section>
  );
}
