/**
 * Labelled form controls with their hint and error wired for assistive technology: a real
 * `<label for>`, `aria-invalid` and `aria-describedby` naming the hint and the error, which
 * sit right under the control.
 */
import type { ComponentChildren, Ref } from 'preact';
import { t } from '../extension/ui/i18n.ts';
import type { Message } from './message.ts';

/** The localised text of a message from pure code. */
export function text(message: Message): string {
  return t(message.key, ...(message.args ?? []));
}

/** The ids the control's `aria-describedby` lists, or undefined when there are none. */
export function describedBy(
  id: string,
  parts: { hint?: unknown; error?: unknown; extra?: string },
): string | undefined {
  const ids = [parts.error ? `${id}-error` : '', parts.hint ? `${id}-hint` : '', parts.extra ?? ''].filter(
    Boolean,
  );
  return ids.length ? ids.join(' ') : undefined;
}

/** The hint and error lines under a control. */
export function FieldNotes({
  id,
  hint,
  error,
}: {
  id: string;
  hint?: ComponentChildren;
  error?: Message | undefined;
}) {
  return (
    <>
      {error ? (
        <p id={`${id}-error`} class="field-error">
          {text(error)}
        </p>
      ) : null}
      {hint ? (
        <div id={`${id}-hint`} class="field-hint">
          {hint}
        </div>
      ) : null}
    </>
  );
}

interface TextFieldProps {
  id: string;
  label: string;
  value: string;
  onInput: (value: string) => void;
  /** Fires when the value is committed (on leaving the field). */
  onCommit?: () => void;
  error?: Message | undefined;
  hint?: ComponentChildren;
  type?: 'text' | 'password' | 'email' | 'url' | 'time' | 'number';
  inputMode?: 'numeric' | 'email' | 'url' | 'text';
  autoComplete?: string;
  placeholder?: string;
  disabled?: boolean;
  required?: boolean;
  min?: number;
  max?: number;
  class?: string;
  inputRef?: Ref<HTMLInputElement>;
  /** Controls shown right after the input, e.g. a show/hide toggle. */
  after?: ComponentChildren;
}

/** A labelled single-line input. */
export function TextField(props: TextFieldProps) {
  const { id, error, hint } = props;
  return (
    <div class={`field ${props.class ?? ''}`}>
      <label for={id}>{props.label}</label>
      <div class="field-row">
        <input
          id={id}
          ref={props.inputRef}
          type={props.type ?? 'text'}
          value={props.value}
          onInput={(e) => props.onInput(e.currentTarget.value)}
          onChange={props.onCommit ? () => props.onCommit?.() : undefined}
          inputMode={props.inputMode}
          autoComplete={props.autoComplete ?? 'off'}
          spellcheck={false}
          placeholder={props.placeholder}
          disabled={props.disabled}
          required={props.required}
          min={props.min}
          max={props.max}
          aria-invalid={error ? true : undefined}
          aria-describedby={describedBy(id, { hint, error })}
        />
        {props.after}
      </div>
      <FieldNotes id={id} hint={hint} error={error} />
    </div>
  );
}

interface SelectFieldProps<V extends string> {
  id: string;
  label: string;
  value: V;
  options: ReadonlyArray<{ value: V; label: string }>;
  onChange: (value: V) => void;
  hint?: ComponentChildren;
  /** Another element describing the choice, e.g. a warning that depends on it. */
  describedById?: string | undefined;
  class?: string;
}

/** A labelled native `<select>` (role combobox). */
export function SelectField<V extends string>(props: SelectFieldProps<V>) {
  const { id, hint } = props;
  return (
    <div class={`field ${props.class ?? ''}`}>
      <label for={id}>{props.label}</label>
      <select
        id={id}
        value={props.value}
        onChange={(e) => props.onChange(e.currentTarget.value as V)}
        aria-describedby={describedBy(id, { hint, extra: props.describedById })}
      >
        {props.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      <FieldNotes id={id} hint={hint} />
    </div>
  );
}

interface CheckboxFieldProps {
  id: string;
  label: ComponentChildren;
  checked: boolean;
  onChange: (checked: boolean) => void;
  hint?: ComponentChildren;
  disabled?: boolean;
}

/** A check box with its label to the right. */
export function CheckboxField(props: CheckboxFieldProps) {
  const { id, hint } = props;
  return (
    <div class="field check">
      <div class="field-row">
        <input
          id={id}
          type="checkbox"
          checked={props.checked}
          disabled={props.disabled}
          onChange={(e) => props.onChange(e.currentTarget.checked)}
          aria-describedby={describedBy(id, { hint })}
        />
        <label for={id}>{props.label}</label>
      </div>
      <FieldNotes id={id} hint={hint} />
    </div>
  );
}
