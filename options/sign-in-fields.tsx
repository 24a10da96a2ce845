/** The editor's first part: address and password, and finding the server settings from the address. */
import { useState } from 'preact/hooks';
import { providerForEmail } from '../extension/providers/guess.ts';
import { t } from '../extension/ui/i18n.ts';
import type { AccountDraft } from './account-draft.ts';
import { SelectField, TextField } from './field.tsx';
import type { GuessCandidate, GuessState } from './guess-state.ts';
import { GuessStatus } from './guess-status.tsx';
import { OAuthFields, type OAuthState } from './oauth-fields.tsx';
import { ProviderHints } from './provider-hints.tsx';
import type { DraftErrors } from './validate-draft.ts';

interface Props {
  draft: AccountDraft;
  errors: DraftErrors;
  guess: GuessState;
  onEmail: (email: string) => void;
  /** The address was committed (focus left the box): a chance to guess unasked. */
  onEmailCommit: () => void;
  onPassword: (password: string) => void;
  onFind: () => void;
  onUseCandidate: (candidate: GuessCandidate, index: number) => void;
  oauth: OAuthState;
  onSignInMethod: (method: AccountDraft['signInMethod']) => void;
  onIssuer: (issuer: string) => void;
  onClientId: (clientId: string) => void;
  onSignIn: () => void;
}

export function SignInFields({
  draft,
  errors,
  guess,
  onEmail,
  onEmailCommit,
  onPassword,
  onFind,
  onUseCandidate,
  oauth,
  onSignInMethod,
  onIssuer,
  onClientId,
  onSignIn,
}: Props) {
  const [showPassword, setShowPassword] = useState(false);
  const hasHints = (providerForEmail(draft.email)?.requires.length ?? 0) > 0;
  return (
    <fieldset class="group">
      <legend>{t('options_signIn')}</legend>
      <TextField
        id="account-email"
        class="wide"
        label={t('options_emailAddress')}
        type="email"
        inputMode="email"
        autoComplete="email"
        value={draft.email}
        onInput={onEmail}
        onCommit={onEmailCommit}
        error={errors.email}
        after={
          <button type="button" onClick={onFind} disabled={guess.state === 'running'}>
            {t('options_findSettings')}
          </button>
        }
      />
      <GuessStatus guess={guess} onUse={onUseCandidate} />
      <SelectField
        id="account-sign-in-method"
        label={t('options_signInMethod')}
        value={draft.signInMethod}
        options={[
          { value: 'password', label: t('options_signInPassword') },
          { value: 'oauth2', label: t('options_signInOAuth') },
        ]}
        onChange={onSignInMethod}
      />
      {draft.signInMethod === 'oauth2' ? (
        <OAuthFields
          draft={draft}
          errors={errors}
          oauth={oauth}
          onIssuer={onIssuer}
          onClientId={onClientId}
          onSignIn={onSignIn}
        />
      ) : (
        <TextField
          id="account-password"
          class="wide"
          label={t('options_password')}
          type={showPassword ? 'text' : 'password'}
          autoComplete="new-password"
          value={draft.password}
          onInput={onPassword}
          error={errors.password}
          placeholder={draft.isNew ? '' : t('options_passwordUnchanged')}
          hint={hasHints ? <ProviderHints email={draft.email} id="account-provider-hints" /> : undefined}
          after={
            <button
              type="button"
              class="toggle"
              aria-pressed={showPassword}
              aria-controls="account-password"
              onClick={() => setShowPassword(!showPassword)}
            >
              {t('options_show')}
            </button>
          }
        />
      )}
    </fieldset>
  );
}
