/**
 * A failed request or read as a short reason for the pages' notices, banners and status lines,
 * worded once for the popup and the settings page (STYLE.md convention 6). The background's
 * messages are written to be shown (background/router.ts); the few failures that never reached a
 * handler get our own words. The reason is lower-case because it is usually the `$1` of a
 * sentence ("Sync failed: $1", "Not saved: $1").
 */
import { t } from './i18n.ts';
import { BackgroundError } from './send.ts';

/** Raised by `withTimeout` when the background does not answer in time. */
export class TimeoutError extends Error {
  override readonly name = 'TimeoutError';
}

/** Codes meaning the request never reached a handler that could answer it. */
const NO_HANDLER = new Set(['no_reply', 'unknown_message']);

/**
 * Chrome rejects `runtime.sendMessage` with this when no page or worker listens
 * (https://developer.chrome.com/docs/extensions/develop/concepts/messaging#simple).
 */
const NO_RECEIVER = /Receiving end does not exist|message port closed|Could not establish connection/i;

/** The reason to show for `error`. */
export function errorText(error: unknown): string {
  if (error instanceof TimeoutError) return t('ui_error_timeout');
  if (error instanceof BackgroundError) {
    if (NO_HANDLER.has(error.code)) return t('ui_error_no_background');
    return error.message || t('ui_error_unknown');
  }
  if (error instanceof Error) {
    if (NO_RECEIVER.test(error.message)) return t('ui_error_no_background');
    return error.message || t('ui_error_unknown');
  }
  return t('ui_error_unknown');
}

/** `promise`, or a TimeoutError after `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new TimeoutError(`no answer within ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
