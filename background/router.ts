/**
 * The background's one message router (refined-github's `handleMessages`, Dark Reader's
 * sender check): one handler per contract message, typed end to end, and a request is only
 * served when it comes from one of this extension's own pages.
 */

import type { Envelope, MessageName, Reply, Request, Response } from '../extension/contract.ts';
import { redactText, type Secret } from '../extension/mail/redact.ts';

export type Handlers = { [K in MessageName]: (request: Request<K>) => Promise<Response<K>> };

/** The part of `runtime.MessageSender` the check reads. */
export interface Sender {
  id?: string;
  url?: string;
}

function isEnvelope(message: unknown): message is Envelope {
  return (
    typeof message === 'object' &&
    message !== null &&
    (message as { biff?: unknown }).biff === 1 &&
    typeof (message as { name?: unknown }).name === 'string'
  );
}

/**
 * A `runtime.onMessage` listener. Returns undefined for messages that are not ours (so other
 * listeners may answer) and a promise of a Reply for ours.
 */
export function createRouter(
  handlers: Handlers,
  self: { id: string; origin: string },
  /**
   * Every secret the background holds (passwords, tokens): a failure's code and message are
   * redacted of each, in every form (quoted, escaped, encoded), before a page can show them.
   */
  secrets: () => Promise<readonly Secret[]> = async () => [],
) {
  return (message: unknown, sender: Sender): Promise<Reply<MessageName>> | undefined => {
    if (!isEnvelope(message)) return undefined;
    if (sender.id !== self.id || !sender.url?.startsWith(self.origin)) {
      return Promise.resolve({ ok: false, code: 'forbidden', message: 'Only Biff’s own pages may ask this' });
    }
    const handler = handlers[message.name] as ((request: unknown) => Promise<unknown>) | undefined;
    if (!handler)
      return Promise.resolve({
        ok: false,
        code: 'unknown_message',
        message: `Unknown message ${message.name}`,
      });
    return handler(message.request).then(
      (response) => ({ ok: true, response }) as Reply<MessageName>,
      async (err: unknown) => {
        // The one way an error leaves the background for a page (shown, screenshotted): a
        // server or library may have echoed a secret into it, in any form.
        let known: readonly Secret[] = [];
        try {
          known = await secrets();
        } catch {
          // Without the list, nothing raw is passed on at all.
          return { ok: false, code: 'internal', message: 'Something went wrong' } as Reply<MessageName>;
        }
        return {
          ok: false,
          code: redactText(String((err as { code?: unknown })?.code ?? 'internal'), known),
          message: redactText(err instanceof Error ? err.message : 'Something went wrong', known),
        } as Reply<MessageName>;
      },
    );
  };
}
