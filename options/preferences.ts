/** The preferences section's rules: quiet hours need two different valid times. */
import type { GlobalSettings } from '../extension/contract.ts';
import type { Message } from './message.ts';

/** What `<input type=time>` gives: 24-hour `HH:MM`. */
const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

export interface PreferenceErrors {
  quietStart?: Message;
  quietEnd?: Message;
}

/** Errors of the quiet hours; none when quiet hours are off (the times are kept, unchecked). */
export function validatePreferences(quietHours: GlobalSettings['quietHours']): PreferenceErrors {
  if (!quietHours.enabled) return {};
  const errors: PreferenceErrors = {};
  if (!TIME.test(quietHours.start)) errors.quietStart = { key: 'options_errorTime' };
  if (!TIME.test(quietHours.end)) errors.quietEnd = { key: 'options_errorTime' };
  else if (!errors.quietStart && quietHours.start === quietHours.end)
    errors.quietEnd = { key: 'options_errorQuietSame' };
  return errors;
}
