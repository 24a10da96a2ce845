/** The account colour: a few swatches, and any colour through the native picker. */
import { t } from '../extension/ui/i18n.ts';
import { SWATCHES } from './colors.ts';
import { describedBy, FieldNotes } from './field.tsx';
import type { Message } from './message.ts';

interface Props {
  value: string;
  onChange: (color: string) => void;
  error?: Message | undefined;
}

export function ColorPicker({ value, onChange, error }: Props) {
  const current = value.toLowerCase();
  return (
    <fieldset class="field color-picker">
      <legend>{t('options_color')}</legend>
      <div class="swatches">
        {SWATCHES.map((swatch) => (
          <button
            key={swatch.color}
            type="button"
            class="swatch"
            style={{ background: swatch.color }}
            aria-label={t(swatch.nameKey)}
            title={t(swatch.nameKey)}
            aria-pressed={current === swatch.color}
            onClick={() => onChange(swatch.color)}
          />
        ))}
        <label class="custom-color" for="account-color-custom">
          <input
            id="account-color-custom"
            type="color"
            value={/^#[0-9a-f]{6}$/i.test(value) ? value : '#000000'}
            onInput={(e) => onChange(e.currentTarget.value)}
            aria-invalid={error ? true : undefined}
            aria-describedby={describedBy('account-color-custom', { error })}
          />
          <span>{t('options_customColor')}</span>
        </label>
      </div>
      <FieldNotes id="account-color-custom" error={error} />
    </fieldset>
  );
}
