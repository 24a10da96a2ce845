/**
 * "Sign in again" on an OAuth account's row, once its authorization server refused the saved
 * sign-in (the account's status is `auth`/`sign_in_again`): the browser's sign-in window for
 * the same issuer, client ID and address, and the new tokens saved for the account as it is,
 * without opening the editor. The background then checks the account again.
 */
import { useCallback, useState } from 'preact/hooks';
import type { Account } from '../extension/accounts.ts';
import { errorText } from '../extension/ui/error-text.ts';
import { send } from '../extension/ui/send.ts';

export type SignInAgainState = { state: 'idle' } | { state: 'running' } | { state: 'failed'; reason: string };

export function useSignInAgain(account: Account, onSaved: () => void) {
  const [status, setStatus] = useState<SignInAgainState>({ state: 'idle' });
  const run = useCallback(async () => {
    const auth = account.auth;
    if (!auth) return;
    setStatus({ state: 'running' });
    try {
      const { signInId } = await send('oauthSignIn', {
        issuer: auth.issuer,
        clientId: auth.clientId,
        loginHint: account.email.trim() || account.username,
      });
      await send('saveAccount', { account, signInId });
      setStatus({ state: 'idle' });
      onSaved();
    } catch (err) {
      setStatus({ state: 'failed', reason: errorText(err) });
    }
  }, [account, onSaved]);
  return { status, run };
}
