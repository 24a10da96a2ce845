/**
 * A failed request or read as a short reason for the popup's notices and banners. The
 * background's messages are written to be shown (background/router.ts); the few failures that
 * never reached a handler get our own words.
 */
import { t } from '../extension/ui/i18n.ts';
import { BackgroundError } from '../extension/ui/send.ts';

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
  if (error instanceof TimeoutError) return t('popup_error_timeout');
  if (error instanceof BackgroundError) {
    if (NO_HANDLER.has(error.code)) return t('popup_error_no_background');
    return error.message || t('popup_error_unknown');
  }
  if (error instanceof Error) {
    if (NO_RECEIVER.test(error.message)) return t('popup_error_no_background');
    return error.message || t('popup_error_unknown');
  }
  return t('popup_error_unknown');
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
