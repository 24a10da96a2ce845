/**
 * The account editor's rules: a draft in, the message for each wrong field out (empty when
 * the draft can be saved). Messages are i18n keys with their substitutions, so this stays pure
 * and the form shows them next to the fields.
 */
import type { AccountDraft } from './account-draft.ts';
import { checkHost } from './host.ts';
import { CHECK_INTERVAL_MINUTES, DELETE_AFTER_DAYS, MAX_NAME_LENGTH, PORT, SYNC_WINDOW } from './limits.ts';
import type { Message } from './message.ts';
import { parseBoundedInt } from './parse-int.ts';

/** Fields that can carry an error, in the order the form shows them (the first gets focus). */
export const DRAFT_FIELDS = [
  'email',
  'password',
  'signIn',
  'host',
  'port',
  'username',
  'name',
  'color',
  'checkInterval',
  'folders',
  'syncWindow',
  'deleteAfterDays',
] as const;
export type DraftField = (typeof DRAFT_FIELDS)[number];

export type DraftErrors = Partial<Record<DraftField, Message>>;

/**
 * `save` checks everything that will be stored; `test` only what a connection test needs,
 * so the test can run before the rest of the form is filled in.
 */
export type ValidationScope = 'save' | 'test';

/** Loose on purpose: the address is for display and guessing; servers decide what signs in. */
const EMAIL = /^[^\s@]+(?:@[^\s@]+)*@[^\s@]+$/;
const COLOR = /^#[0-9a-f]{6}$/i;

/** The errors of `draft` for `scope`; an empty object means it may be sent. */
export function validateDraft(draft: AccountDraft, scope: ValidationScope): DraftErrors {
  const errors: DraftErrors = {};
  const email = draft.email.trim();
  if (scope === 'save') {
    if (!email) errors.email = { key: 'options_errorEmailRequired' };
    else if (!EMAIL.test(email)) errors.email = { key: 'options_errorEmailInvalid' };
  }
  if (draft.signInMethod === 'password') {
    if (draft.isNew && draft.password === '') errors.password = { key: 'options_errorPasswordRequired' };
  } else if (draft.signIn === null && draft.base.auth === undefined) {
    errors.signIn = { key: 'options_errorSignInRequired' };
  }

  const host = checkHost(draft.host);
  if (!host.ok) {
    errors.host = {
      empty: { key: 'options_errorHostRequired' },
      scheme: { key: 'options_errorHostScheme' },
      port: { key: 'options_errorHostPort' },
      invalid: { key: 'options_errorHostInvalid' },
    }[host.reason];
  }
  if (parseBoundedInt(draft.port, PORT) === null) errors.port = range(PORT);
  if (!draft.username.trim()) errors.username = { key: 'options_errorUsernameRequired' };
  if (scope === 'test') return errors;

  if (draft.name.trim().length > MAX_NAME_LENGTH)
    errors.name = { key: 'options_errorNameTooLong', args: [MAX_NAME_LENGTH] };
  if (!COLOR.test(draft.color)) errors.color = { key: 'options_errorColor' };
  if (parseBoundedInt(draft.checkInterval, CHECK_INTERVAL_MINUTES) === null)
    errors.checkInterval = range(CHECK_INTERVAL_MINUTES);
  if (draft.protocol === 'imap') {
    if (draft.folders.length === 0) errors.folders = { key: 'options_errorFoldersEmpty' };
    if (parseBoundedInt(draft.syncWindow, SYNC_WINDOW) === null) errors.syncWindow = range(SYNC_WINDOW);
  } else if (draft.leaveCopy && draft.deleteAfter) {
    if (parseBoundedInt(draft.deleteAfterDays, DELETE_AFTER_DAYS) === null)
      errors.deleteAfterDays = range(DELETE_AFTER_DAYS);
  }
  return errors;
}

function range(bounds: { min: number; max: number }): Message {
  return { key: 'options_errorWholeNumber', args: [bounds.min, bounds.max] };
}

/** The first field with an error, in form order, to move focus to. */
export function firstInvalid(errors: DraftErrors): DraftField | undefined {
  return DRAFT_FIELDS.find((field) => errors[field] !== undefined);
}
