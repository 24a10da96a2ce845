/** One account in the list: colour, name, server, live status and its actions (export included). */
import type { Account } from '../extension/accounts.ts';
import type { AccountStatus } from '../extension/contract.ts';
import { t } from '../extension/ui/i18n.ts';
import { accountStatusView, needsSignInAgain } from './account-status-view.ts';
import { text } from './field.tsx';
import { serverSummary } from './server-labels.ts';
import { useMboxExport } from './use-mbox-export.ts';
import { useSignInAgain } from './use-sign-in-again.ts';

interface Props {
  account: Account;
  status: AccountStatus | undefined;
  first: boolean;
  last: boolean;
  onMove: (delta: -1 | 1) => void;
  onEdit: () => void;
  onRemove: () => void;
  /** "Sign in again" saved a new sign-in: refresh statuses. */
  onSignedIn: () => void;
}

const formatTime = (ms: number) =>
  new Date(ms).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });

/** A list item; the buttons are described by the account name so each is identifiable. */
export function AccountRow({ account, status, first, last, onMove, onEdit, onRemove, onSignedIn }: Props) {
  const nameId = `account-name-${account.id}`;
  const view = accountStatusView(status, account.enabled, formatTime);
  const label = account.name || account.email;
  const mbox = useMboxExport(account);
  const signInAgain = useSignInAgain(account, onSignedIn);
  const offerSignIn = needsSignInAgain(account, status) || signInAgain.status.state !== 'idle';
  return (
    <li class="account-row">
      <span class="color-dot" style={{ background: account.color }} aria-hidden="true" />
      <div class="account-main">
        <div class="account-name" id={nameId}>
          {account.name || account.email}
        </div>
        {account.email && account.email !== account.name ? (
          <div class="account-email muted">{account.email}</div>
        ) : null}
        <div class="account-server muted">{serverSummary(account)}</div>
        <div class={`account-status ${view.tone}`}>
          <span class="status-dot" aria-hidden="true" />
          {text(view.message)}
        </div>
        {offerSignIn ? (
          <div class="account-sign-in">
            <button
              type="button"
              class="primary"
              id={`sign-in-again-${account.id}`}
              aria-describedby={nameId}
              disabled={signInAgain.status.state === 'running'}
              onClick={() => void signInAgain.run()}
            >
              {t('options_signInAgain')}
            </button>
            <div role="status">
              {signInAgain.status.state === 'running' ? <p class="muted">{t('options_signingIn')}</p> : null}
            </div>
            {signInAgain.status.state === 'failed' ? (
              <p class="inline-error" role="alert">
                {t('options_signInFailed', signInAgain.status.reason)}
              </p>
            ) : null}
          </div>
        ) : null}
        <div class="account-export" role="status">
          {mbox.status.state === 'running' ? <p class="muted">{t('options_exportRunning')}</p> : null}
          {mbox.status.state === 'done'
            ? mbox.status.lines.map((line) => (
                <p key={line.key} class={line.key === 'options_exportDone' ? 'ok' : undefined}>
                  {text(line)}
                </p>
              ))
            : null}
          {mbox.status.state === 'failed' ? (
            <p class="error">{t('options_exportFailed', mbox.status.reason)}</p>
          ) : null}
        </div>
      </div>
      <div class="account-actions">
        <button
          type="button"
          class="icon"
          id={`move-up-${account.id}`}
          aria-label={t('options_moveUp', label)}
          title={t('options_moveUp', label)}
          disabled={first}
          onClick={() => onMove(-1)}
        >
          ↑
        </button>
        <button
          type="button"
          class="icon"
          id={`move-down-${account.id}`}
          aria-label={t('options_moveDown', label)}
          title={t('options_moveDown', label)}
          disabled={last}
          onClick={() => onMove(1)}
        >
          ↓
        </button>
        <button type="button" id={`edit-${account.id}`} aria-describedby={nameId} onClick={onEdit}>
          {t('options_edit')}
        </button>
        <button
          type="button"
          aria-label={t('options_exportMboxLabel', label)}
          disabled={mbox.status.state === 'running'}
          onClick={() => void mbox.run()}
        >
          {t('options_exportMbox')}
        </button>
        <button type="button" class="danger" aria-describedby={nameId} onClick={onRemove}>
          {t('options_removeAccount')}
        </button>
      </div>
    </li>
  );
}
