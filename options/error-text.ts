/** The text shown for a failed `send()`: the background's own message, which is written to be shown. */
import { t } from '../extension/ui/i18n.ts';
import { BackgroundError } from '../extension/ui/send.ts';

/**
 * The plain-language reason of a failed request. When no background answered at all (the
 * runtime's "Receiving end does not exist", or no reply), say that rather than the runtime text.
 */
export function errorText(err: unknown): string {
  if (err instanceof BackgroundError)
    return err.code === 'no_reply' ? t('options_backgroundSilent') : err.message;
  const message = err instanceof Error ? err.message : String(err);
  if (/receiving end does not exist|could not establish connection/i.test(message))
    return t('options_backgroundSilent');
  return message || t('options_unknownError');
}
