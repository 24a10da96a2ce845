/**
 * Plugs our `Transport` into imapflow through its documented `transport` option, using
 * `createStreamsTransport()`: each phase of the connection (cleartext, then TLS after
 * STARTTLS) is a pair of web streams over the same relay session. imapflow stops reading once
 * the server accepted STARTTLS, and the relay drops anything the server sends during the
 * handshake, so no cleartext byte reaches the TLS phase.
 */
import { createStreamsTransport } from 'imapflow';
import type { Target, TlsInfo, Transport, TransportFactory } from '../../relay/transport.ts';

interface OpenedStreams {
  readable: ReadableStream<Uint8Array>;
  writable: WritableStream<Uint8Array>;
  remoteAddress?: string;
  remotePort?: number;
  tls?: { authorized: boolean; name: string; version: string };
}

function tlsSummary(tls: TlsInfo | null): OpenedStreams['tls'] {
  return tls
    ? { authorized: tls.authorized, name: tls.cipher ?? '', version: tls.protocol ?? '' }
    : undefined;
}

/** Streams for one phase; taking the data handler ends the previous phase's stream. */
function phaseStreams(transport: Transport): OpenedStreams {
  const readable = new ReadableStream<Uint8Array>({
    start(controller) {
      transport.onData((chunk) => controller.enqueue(chunk));
      transport.onClose((reason) => {
        try {
          if (reason) controller.error(reason);
          else controller.close();
        } catch {
          /* the phase already ended */
        }
      });
    },
  });
  const writable = new WritableStream<Uint8Array>({
    write: (chunk) => transport.write(chunk),
    close: () => transport.close(),
    abort: () => transport.close(),
  });
  const [host, port] = splitRemote(transport.remote);
  return { readable, writable, remoteAddress: host, remotePort: port, tls: tlsSummary(transport.tls) };
}

function splitRemote(remote: string): [string | undefined, number | undefined] {
  const at = remote.lastIndexOf(':');
  if (at < 0) return [undefined, undefined];
  return [remote.slice(0, at).replace(/^\[|\]$/g, ''), Number(remote.slice(at + 1))];
}

/**
 * imapflow options that route a connection to `target` through `open`. `secure` and
 * `doSTARTTLS` follow the account's security mode; imapflow's own `host`/`port` are only used
 * for SNI-free bookkeeping, the relay verifies TLS.
 */
export function imapflowTransportOptions(open: TransportFactory, target: Target) {
  const transports = new WeakMap<object, Transport>();
  const transport = createStreamsTransport({
    open: () => {
      const pending = open(target);
      const handle = {
        opened: pending.then((t) => {
          transports.set(handle, t);
          return phaseStreams(t);
        }),
        close: () => {
          void pending.then((t) => t.close()).catch(() => {});
        },
      };
      return handle;
    },
    upgrade: (socket: object) => {
      const t = transports.get(socket);
      if (!t) throw new Error('STARTTLS before the connection opened');
      const upgraded = {
        opened: t.startTls().then(() => phaseStreams(t)),
        close: () => t.close(),
      };
      transports.set(upgraded, t);
      return upgraded;
    },
  });
  return {
    host: target.host,
    port: target.port,
    secure: target.tls === 'implicit',
    doSTARTTLS: target.tls === 'starttls' ? true : target.tls === 'none' ? false : undefined,
    transport,
  };
}
