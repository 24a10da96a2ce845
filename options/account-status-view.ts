/** The one-line status of an account in the list, from the background's AccountStatus. */
import type { Account } from '../extension/accounts.ts';
import type { AccountStatus } from '../extension/contract.ts';
import type { Message } from './message.ts';

export interface StatusView {
  tone: 'ok' | 'busy' | 'error' | 'muted';
  message: Message;
}

/**
 * The status line. `formatTime` renders a timestamp (the component passes a locale-aware
 * one); an error shows the background's plain-language message.
 */
export function accountStatusView(
  status: AccountStatus | undefined,
  enabled: boolean,
  formatTime: (ms: number) => string,
): StatusView {
  if (!enabled) return { tone: 'muted', message: { key: 'options_statusDisabled' } };
  if (!status) return { tone: 'muted', message: { key: 'options_statusUnknown' } };
  if (status.state === 'error' && status.error)
    return { tone: 'error', message: { key: 'options_statusError', args: [status.error.message] } };
  if (status.state === 'syncing') return { tone: 'busy', message: { key: 'options_statusSyncing' } };
  if (status.lastSuccess === null) return { tone: 'muted', message: { key: 'options_statusUnknown' } };
  return {
    tone: 'ok',
    message: { key: 'options_statusOk', args: [status.unread, formatTime(status.lastSuccess)] },
  };
}

/**
 * Whether the row offers "Sign in again": an OAuth account the servers no longer let in (its
 * refresh refused, or its token refused by the mail server), never a password account.
 */
export function needsSignInAgain(account: Pick<Account, 'auth'>, status: AccountStatus | undefined): boolean {
  return account.auth !== undefined && status?.error?.kind === 'auth';
}
