/** Where the account connects: protocol, server, port, security and the sign-in name. */
import type { Protocol } from '../extension/accounts.ts';
import type { TlsMode } from '../extension/relay/transport.ts';
import { t } from '../extension/ui/i18n.ts';
import type { AccountDraft, ServerPatch } from './account-draft.ts';
import { SelectField, TextField } from './field.tsx';
import { protocolLabel, securityLabel } from './server-labels.ts';
import type { DraftErrors } from './validate-draft.ts';

interface Props {
  draft: AccountDraft;
  errors: DraftErrors;
  onServer: (patch: ServerPatch) => void;
  onUsername: (username: string) => void;
  onForgetPin: () => void;
}

const PROTOCOLS: Protocol[] = ['imap', 'pop3'];
const SECURITY: TlsMode[] = ['implicit', 'starttls', 'none'];

export function ServerFields({ draft, errors, onServer, onUsername, onForgetPin }: Props) {
  const clear = draft.security === 'none';
  return (
    <fieldset class="group">
      <legend>{t('options_serverHeading')}</legend>
      <div class="server-grid">
        <SelectField
          id="account-protocol"
          class="protocol"
          label={t('options_protocol')}
          value={draft.protocol}
          options={PROTOCOLS.map((p) => ({ value: p, label: protocolLabel(p) }))}
          onChange={(protocol) => onServer({ protocol })}
        />
        <TextField
          id="account-host"
          class="host"
          label={t('options_server')}
          value={draft.host}
          placeholder={draft.protocol === 'imap' ? 'imap.example.org' : 'pop.example.org'}
          onInput={(host) => onServer({ host })}
          error={errors.host}
        />
        <TextField
          id="account-port"
          class="port"
          label={t('options_port')}
          inputMode="numeric"
          value={draft.port}
          onInput={(port) => onServer({ port })}
          error={errors.port}
        />
        <SelectField
          id="account-security"
          class="security"
          label={t('options_security')}
          value={draft.security}
          options={SECURITY.map((s) => ({ value: s, label: securityLabel(s) }))}
          onChange={(security) => onServer({ security })}
          describedById={clear ? 'account-security-warning' : undefined}
        />
        <TextField
          id="account-username"
          class="username"
          label={t('options_username')}
          autoComplete="username"
          value={draft.username}
          onInput={onUsername}
          error={errors.username}
        />
      </div>
      {clear ? (
        <p id="account-security-warning" class="warning">
          <span aria-hidden="true">⚠ </span>
          {t('options_securityNoneWarning')}
        </p>
      ) : null}
      {draft.pin ? (
        <div class="pin-line">
          <span class="muted">{t('options_pinned')}</span> <code class="fingerprint">{draft.pin}</code>{' '}
          <button type="button" class="link" onClick={onForgetPin}>
            {t('options_forgetPin')}
          </button>
        </div>
      ) : null}
    </fieldset>
  );
}
