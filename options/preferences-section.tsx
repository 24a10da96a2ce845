/** Global preferences: quiet hours, marking read on open, and what the badge counts. */
import { useRef, useState } from 'preact/hooks';
import type { GlobalSettings } from '../extension/contract.ts';
import { errorText } from '../extension/ui/error-text.ts';
import { t } from '../extension/ui/i18n.ts';
import { CheckboxField, SelectField, TextField } from './field.tsx';
import { type PreferenceErrors, validatePreferences } from './preferences.ts';

/** The part of the global settings this section edits. */
export type Preferences = Pick<GlobalSettings, 'quietHours' | 'openMarksRead' | 'badgeMode'>;

interface Props {
  preferences: Preferences;
  save: (preferences: Preferences) => Promise<void>;
}

/** The "Preferences" section. */
export function PreferencesSection({ preferences, save }: Props) {
  const [draft, setDraft] = useState<Preferences>(preferences);
  const [errors, setErrors] = useState<PreferenceErrors>({});
  const [state, setState] = useState<
    { kind: 'idle' | 'saving' | 'saved' } | { kind: 'error'; message: string }
  >({
    kind: 'idle',
  });
  const startRef = useRef<HTMLInputElement>(null);
  const endRef = useRef<HTMLInputElement>(null);

  const update = (patch: Partial<Preferences>) => {
    const next = { ...draft, ...patch };
    setDraft(next);
    if (errors.quietStart || errors.quietEnd) setErrors(validatePreferences(next.quietHours));
    if (state.kind !== 'saving') setState({ kind: 'idle' });
  };
  const setQuiet = (patch: Partial<Preferences['quietHours']>) =>
    update({ quietHours: { ...draft.quietHours, ...patch } });

  async function onSubmit(event: Event) {
    event.preventDefault();
    const found = validatePreferences(draft.quietHours);
    setErrors(found);
    if (found.quietStart) return startRef.current?.focus();
    if (found.quietEnd) return endRef.current?.focus();
    setState({ kind: 'saving' });
    try {
      await save(draft);
      setState({ kind: 'saved' });
    } catch (err) {
      setState({ kind: 'error', message: errorText(err) });
    }
  }

  const quietOff = !draft.quietHours.enabled;
  return (
    <section class="card" aria-labelledby="prefs-heading">
      <h2 id="prefs-heading">{t('options_prefsHeading')}</h2>
      <form onSubmit={onSubmit} noValidate>
        <fieldset class="group">
          <legend>{t('options_quietHours')}</legend>
          <CheckboxField
            id="quiet-enabled"
            label={t('options_quietEnabled')}
            checked={draft.quietHours.enabled}
            onChange={(enabled) => setQuiet({ enabled })}
          />
          <div class="inline-fields">
            <TextField
              id="quiet-start"
              label={t('options_quietStart')}
              type="time"
              value={draft.quietHours.start}
              inputRef={startRef}
              disabled={quietOff}
              onInput={(start) => setQuiet({ start })}
              error={errors.quietStart}
            />
            <TextField
              id="quiet-end"
              label={t('options_quietEnd')}
              type="time"
              value={draft.quietHours.end}
              inputRef={endRef}
              disabled={quietOff}
              onInput={(end) => setQuiet({ end })}
              error={errors.quietEnd}
            />
          </div>
        </fieldset>
        <CheckboxField
          id="open-marks-read"
          label={t('options_openMarksRead')}
          checked={draft.openMarksRead}
          onChange={(openMarksRead) => update({ openMarksRead })}
          hint={t('options_openMarksReadHint')}
        />
        <SelectField
          id="badge-mode"
          label={t('options_badgeMode')}
          value={draft.badgeMode}
          options={[
            { value: 'unread', label: t('options_badgeUnread') },
            { value: 'new', label: t('options_badgeNew') },
          ]}
          onChange={(badgeMode) => update({ badgeMode })}
        />
        <div class="actions">
          <button type="submit" class="primary" disabled={state.kind === 'saving'}>
            {t('options_savePrefs')}
          </button>
          <p class={`inline-status ${state.kind === 'error' ? 'error' : 'ok'}`} role="status">
            {state.kind === 'saved' ? t('options_prefsSaved') : null}
            {state.kind === 'error' ? t('options_saveFailed', state.message) : null}
          </p>
        </div>
      </form>
    </section>
  );
}
