/** OAuth 2.0 sign-in in the account editor: issuer, client ID, "Sign in", and who is signed in. */
import { KNOWN_PROVIDERS, knownProviderByIssuer } from '../extension/mail/oauth/providers.ts';
import { t } from '../extension/ui/i18n.ts';
import type { AccountDraft } from './account-draft.ts';
import { TextField, text } from './field.tsx';
import type { DraftErrors } from './validate-draft.ts';

/** Where the editor's sign-in stands. */
export type OAuthState = { state: 'idle' } | { state: 'running' } | { state: 'failed'; message: string };

interface Props {
  draft: AccountDraft;
  errors: DraftErrors;
  oauth: OAuthState;
  onIssuer: (issuer: string) => void;
  onClientId: (clientId: string) => void;
  onSignIn: () => void;
}

/** The plain words for a built-in provider without a client ID in this build, or null. */
function missingClientId(draft: AccountDraft): string | null {
  if (draft.clientId.trim() !== '') return null;
  const known = knownProviderByIssuer(draft.issuer);
  if (known?.clientId !== '') return null;
  return known.id === KNOWN_PROVIDERS.google.id
    ? t('options_noClientIdGoogle')
    : t('options_noClientIdMicrosoft');
}

export function OAuthFields({ draft, errors, oauth, onIssuer, onClientId, onSignIn }: Props) {
  const known = knownProviderByIssuer(draft.issuer);
  const missing = missingClientId(draft);
  let status: string | null = null;
  if (oauth.state === 'running') status = t('options_signingIn');
  else if (draft.signIn) status = t('options_signedInAs', draft.signIn.signedInAs || draft.username);
  else if (draft.base.auth) status = t('options_signedInSaved');
  return (
    <>
      <TextField
        id="account-issuer"
        class="wide"
        label={t('options_authorizationServer')}
        type="url"
        inputMode="url"
        value={draft.issuer}
        onInput={onIssuer}
      />
      <TextField
        id="account-client-id"
        class="wide"
        label={t('options_clientId')}
        value={draft.clientId}
        onInput={onClientId}
        hint={known && known.clientId !== '' ? t('options_clientIdBuilt') : undefined}
      />
      {missing ? (
        <p class="hint" id="account-client-id-missing">
          {missing}
        </p>
      ) : null}
      <div class="field-row">
        <button
          type="button"
          id="account-oauth-sign-in"
          onClick={onSignIn}
          disabled={oauth.state === 'running'}
          aria-invalid={errors.signIn ? true : undefined}
        >
          {t('options_oauthSignIn')}
        </button>
      </div>
      {status ? (
        <p class="status" role="status">
          {status}
        </p>
      ) : null}
      {oauth.state === 'failed' ? (
        <p class="inline-error" role="alert">
          {t('options_signInFailed', oauth.message)}
        </p>
      ) : null}
      {errors.signIn ? (
        <p class="inline-error" role="alert">
          {text(errors.signIn)}
        </p>
      ) : null}
    </>
  );
}
