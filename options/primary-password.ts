/**
 * The primary password section's rules: what may be set as a primary password, and which of
 * the typed fields are wrong. Pure; see primary-password.test.ts.
 */
import type { Message } from './message.ts';

/**
 * Shorter than this is refused: the primary password guards every account password at rest,
 * and PBKDF2 only slows guessing down, it cannot make a short password strong.
 */
export const PRIMARY_PASSWORD_MIN_CHARS = 8;

export interface PrimaryPasswordErrors {
  current?: Message;
  next?: Message;
  confirm?: Message;
}

/**
 * Errors of a new primary password and its confirmation; with `current` (changing it), that
 * it was entered. Empty when the form can be sent.
 */
export function validatePrimaryPassword(
  next: string,
  confirm: string,
  current?: string,
): PrimaryPasswordErrors {
  const errors: PrimaryPasswordErrors = {};
  if (current !== undefined && current === '') errors.current = { key: 'options_primaryErrorCurrent' };
  if (next.trim() === '') errors.next = { key: 'options_primaryErrorRequired' };
  else if ([...next].length < PRIMARY_PASSWORD_MIN_CHARS)
    errors.next = { key: 'options_primaryErrorShort', args: [PRIMARY_PASSWORD_MIN_CHARS] };
  else if (confirm !== next) errors.confirm = { key: 'options_primaryErrorMismatch' };
  return errors;
}
