/**
 * The background's one message router (refined-github's `handleMessages`, Dark Reader's
 * sender check): one handler per contract message, typed end to end, and a request is only
 * served when it comes from one of this extension's own pages.
 */
import type { Envelope, MessageName, Reply, Request, Response } from '../extension/contract.ts';

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
export function createRouter(handlers: Handlers, self: { id: string; origin: string }) {
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
      (err: unknown) => ({
        ok: false,
        code: String((err as { code?: unknown })?.code ?? 'internal'),
        // Our errors are written to be shown; none carries a secret (see engine/classify.ts).
        message: err instanceof Error ? err.message : 'Something went wrong',
      }),
    );
  };
}
