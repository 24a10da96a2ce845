/**
 * The relay: "Pair automatically" (asks the native host `biff_relay` that `biff-relay install`
 * registered), or where it listens and the pairing token by hand, with a status line that
 * really connects (`relayStatus`) and says how to fix what is wrong.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { GlobalSettings } from '../extension/contract.ts';
import { requestNativeMessaging, sendNativeMessage } from '../extension/platform.ts';
import { errorText } from '../extension/ui/error-text.ts';
import { t } from '../extension/ui/i18n.ts';
import { send } from '../extension/ui/send.ts';
import { NATIVE_HOST_NAME } from '../relay/protocol.ts';
import { type PairOutcome, pairError, pairOutcome } from './auto-pair.ts';
import { TextField, text } from './field.tsx';
import {
  DEFAULT_RELAY_URL,
  type RelayErrors,
  type RelayStatusView,
  relayStatusView,
  validateRelay,
} from './relay-settings.ts';

type Relay = GlobalSettings['relay'];

type StatusState =
  | { state: 'unpaired' }
  | { state: 'pairing' }
  | { state: 'pair-failed'; outcome: Extract<PairOutcome, { ok: false }> }
  | { state: 'locked' }
  | { state: 'checking' }
  | { state: 'shown'; view: RelayStatusView }
  | { state: 'failed'; message: string };

interface Props {
  relay: Relay;
  /** The primary password is not entered: the saved token is encrypted and reads empty. */
  locked?: boolean;
  /** Stores the relay settings (merged into the global settings by the page). */
  save: (relay: Relay) => Promise<void>;
}

/** The "Relay" section. */
export function RelaySection({ relay, locked = false, save }: Props) {
  const [url, setUrl] = useState(relay.url || DEFAULT_RELAY_URL);
  const [token, setToken] = useState(relay.token);
  const [showToken, setShowToken] = useState(false);
  const [errors, setErrors] = useState<RelayErrors>({});
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<string | null>(null);
  const [status, setStatus] = useState<StatusState>(
    relay.token ? { state: 'checking' } : locked ? { state: 'locked' } : { state: 'unpaired' },
  );
  const urlRef = useRef<HTMLInputElement>(null);
  const tokenRef = useRef<HTMLInputElement>(null);
  // A slower check must not overwrite the answer to a newer one.
  const checkSeq = useRef(0);

  async function check(endpoint: Relay) {
    const seq = ++checkSeq.current;
    setStatus({ state: 'checking' });
    try {
      const result = await send('relayStatus', endpoint);
      if (seq === checkSeq.current)
        setStatus({ state: 'shown', view: relayStatusView(result, endpoint.startCommand) });
    } catch (err) {
      if (seq === checkSeq.current) setStatus({ state: 'failed', message: errorText(err) });
    }
  }

  // Say at once whether the saved settings work; only the first render's settings are checked.
  useEffect(() => {
    if (relay.token) void check({ url: relay.url || DEFAULT_RELAY_URL, token: relay.token });
  }, []);

  /** Asks the native host; must start inside the click (the permission request needs the gesture). */
  function onPairAutomatically() {
    const granted = requestNativeMessaging();
    checkSeq.current++;
    setStatus({ state: 'pairing' });
    void pairAutomatically(granted);
  }

  async function pairAutomatically(granted: Promise<boolean>) {
    const failed = (outcome: PairOutcome) => {
      if (!outcome.ok) setStatus({ state: 'pair-failed', outcome });
    };
    if (!(await granted.catch(() => false)))
      return failed({ ok: false, message: { key: 'options_pairDenied' } });
    let outcome: PairOutcome;
    try {
      outcome = pairOutcome(await sendNativeMessage(NATIVE_HOST_NAME, { type: 'pair' }));
    } catch (err) {
      outcome = pairError(err);
    }
    if (!outcome.ok) return failed(outcome);
    setUrl(outcome.relay.url);
    setToken(outcome.relay.token);
    setErrors({});
    setSaveError(null);
    try {
      await save(outcome.relay);
    } catch (err) {
      setSaveError(errorText(err));
      return;
    }
    await check(outcome.relay);
  }

  async function onSubmit(event: Event) {
    event.preventDefault();
    const found = validateRelay(url, token);
    setErrors(found);
    if (found.url) return urlRef.current?.focus();
    if (found.token) return tokenRef.current?.focus();
    const next: Relay = { url: url.trim(), token: token.trim() };
    // The command that starts the installed relay stays while the relay is the same one.
    if (relay.startCommand && next.url === relay.url) next.startCommand = relay.startCommand;
    setSaving(true);
    setSaveError(null);
    try {
      await save(next);
    } catch (err) {
      setSaveError(errorText(err));
      return;
    } finally {
      setSaving(false);
    }
    await check(next);
  }

  return (
    <section class="card" aria-labelledby="relay-heading">
      <h2 id="relay-heading">{t('options_relayHeading')}</h2>
      <p class="section-intro muted">{t('options_relayIntro')}</p>
      <div class="actions pair-automatically">
        <button
          type="button"
          class="primary"
          onClick={onPairAutomatically}
          disabled={status.state === 'pairing'}
          aria-describedby="pair-hint"
        >
          {t('options_pairAutomatically')}
        </button>
        <p id="pair-hint" class="hint muted">
          {t('options_pairAutomaticallyHint')}
        </p>
      </div>
      <form class="relay-form" onSubmit={onSubmit} noValidate>
        <TextField
          id="relay-url"
          class="wide"
          label={t('options_relayUrl')}
          value={url}
          inputRef={urlRef}
          type="url"
          inputMode="url"
          placeholder={DEFAULT_RELAY_URL}
          onInput={(value) => {
            setUrl(value);
            if (errors.url) setErrors({ ...errors, url: undefined });
          }}
          error={errors.url}
        />
        <TextField
          id="relay-token"
          class="wide"
          label={t('options_pairingToken')}
          value={token}
          inputRef={tokenRef}
          type={showToken ? 'text' : 'password'}
          onInput={(value) => {
            setToken(value);
            if (errors.token) setErrors({ ...errors, token: undefined });
          }}
          error={errors.token}
          hint={t('options_pairingTokenHint')}
          after={
            <button
              type="button"
              class="toggle"
              aria-pressed={showToken}
              aria-controls="relay-token"
              onClick={() => setShowToken(!showToken)}
            >
              {t('options_show')}
            </button>
          }
        />
        <div class="actions">
          <button type="submit" class="primary" disabled={saving}>
            {t('options_saveRelay')}
          </button>
          {saveError ? (
            <p class="inline-error" role="alert">
              {t('options_saveFailed', saveError)}
            </p>
          ) : null}
        </div>
      </form>
      <RelayStatusLine status={status} />
    </section>
  );
}

function RelayStatusLine({ status }: { status: StatusState }) {
  let content = null;
  let tone = 'muted';
  if (status.state === 'unpaired') content = t('options_relayUnpaired');
  else if (status.state === 'locked') content = t('options_relayLocked');
  else if (status.state === 'checking') content = t('options_relayChecking');
  else if (status.state === 'pairing') content = t('options_pairing');
  else if (status.state === 'pair-failed') {
    tone = 'error';
    const commands = status.outcome.installCommands;
    content = (
      <>
        {text(status.outcome.message)}
        {commands ? (
          <span class="commands">
            {commands.map((command, i) => (
              <span key={command}>
                {i > 0 ? ` ${t('options_pairThen')} ` : ' '}
                <code>{command}</code>
              </span>
            ))}
          </span>
        ) : null}
      </>
    );
  } else if (status.state === 'failed') {
    tone = 'error';
    content = t('options_relayCheckFailed', status.message);
  } else {
    const { view } = status;
    tone = view.tone;
    content = (
      <>
        {text(view.message)}
        {view.startCommands ? (
          <span class="commands">
            {' '}
            {t('options_relayStartWith')} <code>{view.startCommands[0]}</code> {t('options_relayStartOr')}{' '}
            <code>{view.startCommands[1]}</code>
          </span>
        ) : null}
      </>
    );
  }
  return (
    <div class={`status-line ${tone}`} role="status">
      <span class="status-dot" aria-hidden="true" />
      <span>{content}</span>
    </div>
  );
}
