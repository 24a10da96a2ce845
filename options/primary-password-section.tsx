/**
 * The "Primary password" section, like Thunderbird's: set one to encrypt the saved passwords
 * and the pairing token; change or remove it (the current one is asked for, and everything is
 * encrypted anew); while locked, unlock here, or reset it when it is forgotten (the saved
 * passwords go, the accounts, settings and cached mail stay).
 */
import { useState } from 'preact/hooks';
import type { PrimaryPasswordState } from '../extension/contract.ts';
import { errorText } from '../extension/ui/error-text.ts';
import { t } from '../extension/ui/i18n.ts';
import { send } from '../extension/ui/send.ts';
import { TextField } from './field.tsx';
import { type PrimaryPasswordErrors, validatePrimaryPassword } from './primary-password.ts';

interface Props {
  state: PrimaryPasswordState;
  /** After a change: the page loads the settings again (the pairing token, the new state). */
  onChanged: () => Promise<void>;
}

type Outcome = { kind: 'idle' | 'busy' } | { kind: 'error'; message: string } | { kind: 'done'; key: string };

/** The "Primary password" section. */
export function PrimaryPasswordSection({ state, onChanged }: Props) {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [errors, setErrors] = useState<PrimaryPasswordErrors>({});
  const [outcome, setOutcome] = useState<Outcome>({ kind: 'idle' });
  const [forgetting, setForgetting] = useState(false);
  const busy = outcome.kind === 'busy';

  /** Runs one request; the fields are cleared once it succeeded, so no password lingers on the page. */
  async function run(request: () => Promise<unknown>, doneKey: string) {
    setOutcome({ kind: 'busy' });
    try {
      await request();
    } catch (err) {
      setOutcome({ kind: 'error', message: errorText(err) });
      return;
    }
    setCurrent('');
    setNext('');
    setConfirm('');
    setErrors({});
    setForgetting(false);
    setOutcome({ kind: 'done', key: doneKey });
    await onChanged();
  }

  function submitNew(event: Event, withCurrent: boolean) {
    event.preventDefault();
    const found = validatePrimaryPassword(next, confirm, withCurrent ? current : undefined);
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    void run(
      () => send('setPrimaryPassword', withCurrent ? { password: next, current } : { password: next }),
      withCurrent ? 'options_primaryChanged' : 'options_primarySetDone',
    );
  }

  function remove() {
    const found = validatePrimaryPassword('x'.repeat(64), 'x'.repeat(64), current);
    setErrors(found);
    if (found.current) return;
    void run(() => send('removePrimaryPassword', { current }), 'options_primaryRemoved');
  }

  const field = (
    id: string,
    label: string,
    value: string,
    set: (v: string) => void,
    error: PrimaryPasswordErrors[keyof PrimaryPasswordErrors],
    autoComplete: 'new-password' | 'current-password',
  ) => (
    <TextField
      id={id}
      label={label}
      type="password"
      autoComplete={autoComplete}
      value={value}
      onInput={(v) => {
        set(v);
        if (outcome.kind === 'error' || outcome.kind === 'done') setOutcome({ kind: 'idle' });
      }}
      error={error}
    />
  );

  let body = null;
  if (state === 'none') {
    body = (
      <form onSubmit={(e) => submitNew(e, false)} noValidate>
        <p class="section-intro muted">{t('options_primaryIntroNone')}</p>
        {field('primary-new', t('options_primaryPassword'), next, setNext, errors.next, 'new-password')}
        {field(
          'primary-confirm',
          t('options_primaryConfirm'),
          confirm,
          setConfirm,
          errors.confirm,
          'new-password',
        )}
        <div class="actions">
          <button type="submit" class="primary" disabled={busy}>
            {t('options_primarySet')}
          </button>
        </div>
      </form>
    );
  } else if (state === 'locked') {
    body = (
      <>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (current !== '')
              void run(() => send('unlock', { password: current }), 'options_primaryUnlocked');
          }}
          noValidate
        >
          <p class="section-intro muted">{t('options_primaryIntroLocked')}</p>
          {field(
            'primary-unlock',
            t('options_primaryPassword'),
            current,
            setCurrent,
            undefined,
            'current-password',
          )}
          <div class="actions">
            <button type="submit" class="primary" disabled={busy || current === ''}>
              {t('options_primaryUnlock')}
            </button>
            <button type="button" disabled={busy} onClick={() => setForgetting(true)}>
              {t('options_primaryForgot')}
            </button>
          </div>
        </form>
        {forgetting ? (
          <section class="primary-forget" aria-labelledby="primary-forget-title">
            <h3 id="primary-forget-title">{t('options_primaryForgetTitle')}</h3>
            <p>{t('options_primaryForgetBody')}</p>
            <div class="actions">
              <button
                type="button"
                class="danger"
                disabled={busy}
                onClick={() => void run(() => send('forgetPrimaryPassword', {}), 'options_primaryResetDone')}
              >
                {t('options_primaryReset')}
              </button>
              <button type="button" disabled={busy} onClick={() => setForgetting(false)}>
                {t('options_cancel')}
              </button>
            </div>
          </section>
        ) : null}
      </>
    );
  } else {
    body = (
      <form onSubmit={(e) => submitNew(e, true)} noValidate>
        <p class="section-intro muted">{t('options_primaryIntroSet')}</p>
        {field(
          'primary-current',
          t('options_primaryCurrent'),
          current,
          setCurrent,
          errors.current,
          'current-password',
        )}
        {field('primary-next', t('options_primaryNew'), next, setNext, errors.next, 'new-password')}
        {field(
          'primary-next-confirm',
          t('options_primaryNewConfirm'),
          confirm,
          setConfirm,
          errors.confirm,
          'new-password',
        )}
        <div class="actions">
          <button type="submit" class="primary" disabled={busy}>
            {t('options_primaryChange')}
          </button>
          <button type="button" class="danger" disabled={busy} onClick={remove}>
            {t('options_primaryRemove')}
          </button>
        </div>
      </form>
    );
  }

  return (
    <section class="card" aria-labelledby="primary-heading">
      <h2 id="primary-heading">{t('options_primaryHeading')}</h2>
      {body}
      <div class={`status-line ${state === 'locked' ? 'error' : 'muted'}`} role="status">
        <span class="status-dot" aria-hidden="true" />
        <span>
          {t(STATE_TEXT[state])}
          {outcome.kind === 'done' ? ` ${t(outcome.key)}` : ''}
        </span>
      </div>
      {outcome.kind === 'error' ? (
        <p class="inline-error" role="alert">
          {outcome.message}
        </p>
      ) : null}
    </section>
  );
}

const STATE_TEXT: Record<PrimaryPasswordState, string> = {
  none: 'options_primaryStateNone',
  locked: 'options_primaryStateLocked',
  unlocked: 'options_primaryStateUnlocked',
};
