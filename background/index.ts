/**
 * Service-worker entry. Wires the engine to the browser: message router, scheduler, badge,
 * notifications. Durable state lives in IndexedDB and storage; this module holds only caches.
 */
import { probeImap } from '../extension/mail/imap/probe.ts';
import { relayTransportFactory } from '../extension/relay/relay-socket.ts';
import type { RelayEndpoint, Target } from '../extension/relay/transport.ts';

/**
 * A console handle for people debugging Biff in DevTools (and for the browser tests, which
 * drive the built worker through it): `await biff.probeImap(relay, target, auth)`.
 */
const consoleApi = {
  probeImap: (relay: RelayEndpoint, target: Target, auth: { user: string; pass: string }) =>
    probeImap(relayTransportFactory(relay), target, auth),
};

(globalThis as unknown as { biff: typeof consoleApi }).biff = consoleApi;
