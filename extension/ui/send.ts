/**
 * Pages' side of the UI↔background contract: `send('setSeen', {ids, seen: true})` is typed
 * end to end, and a background error arrives as a thrown `BackgroundError` with its code.
 */
import type { BackgroundEvent, Envelope, MessageName, Reply, Request, Response } from '../contract.ts';
import { listenToRuntime, sendToBackground } from '../platform.ts';

/** An error the background returned; `code` picks the user-facing text (the pages' error-text.ts). */
export class BackgroundError extends Error {
  override readonly name = 'BackgroundError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Sends one request to the background and returns its typed response. */
export async function send<K extends MessageName>(name: K, request: Request<K>): Promise<Response<K>> {
  const envelope: Envelope<K> = { biff: 1, name, request };
  const reply = (await sendToBackground(envelope)) as Reply<K> | undefined;
  if (!reply) throw new BackgroundError('no_reply', 'The background did not answer');
  if (!reply.ok) throw new BackgroundError(reply.code, reply.message);
  return reply.response;
}

/** Subscribes to background events; returns the unsubscribe function. */
export function onBackgroundEvent(listener: (event: BackgroundEvent) => void): () => void {
  const handler = (message: unknown) => {
    if (typeof message === 'object' && message !== null && 'biffEvent' in message)
      listener(message as BackgroundEvent);
  };
  return listenToRuntime(handler);
}
