/**
 * The relay's HTTP server: answers plain requests with a short notice, judges every WebSocket
 * upgrade before it happens (handshake.ts), and runs one Session per accepted WebSocket.
 */
import { createServer, type IncomingMessage, type ServerResponse, STATUS_CODES } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { RelayOptions } from './args.ts';
import { RelayError } from './errors.ts';
import { checkUpgrade, type HandshakePolicy, requestPath } from './handshake.ts';
import {
  HEADERS_CHECK_INTERVAL_MS,
  HEADERS_TIMEOUT_MS,
  MAX_WAITING_SESSIONS,
  SHUTDOWN_GRACE_MS,
} from './limits.ts';
import type { Logger } from './log.ts';
import { allowedHostHeaders, checkHostHeader, isLoopbackBind } from './policy.ts';
import { RELAY_CLOSE_CODES, RELAY_PATH, RELAY_SUBPROTOCOL, type ServerFrame } from './protocol.ts';
import { Session, type SessionSlots } from './session.ts';

/** A listening relay. */
export interface RelayServer {
  /** The port actually bound (differs from the option with `--port 0`). */
  port: number;
  /** `ws://host:port/v1` */
  url: string;
  /** Stops listening, closes every session with 1001 and waits (bounded) for them to go. */
  close(): Promise<void>;
}

/** The plain-HTTP answer: says what this is, and nothing secret. */
const NOTICE = 'Biff relay: WebSocket endpoint at /v1 (see relay/PROTOCOL.md).\n';

/** Writes an HTTP refusal on a socket that asked to upgrade, and closes it. */
function refuse(socket: Duplex, status: number): void {
  const text = `${STATUS_CODES[status] ?? 'Error'}\n`;
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
      'Connection: close\r\n' +
      'Content-Type: text/plain; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`,
  );
}

function remoteOf(req: IncomingMessage): string {
  return `${req.socket.remoteAddress ?? '?'}:${req.socket.remotePort ?? '?'}`;
}

/** Starts listening; resolves once the port is bound. */
export async function startServer(
  options: RelayOptions & { token: string },
  log: Logger,
): Promise<RelayServer> {
  /** Every session until it has closed (shutdown closes them all). */
  const sessions = new Set<Session>();
  /** Sessions that have not sent `connect`, oldest first: MAX_WAITING_SESSIONS, not --max-sessions. */
  const waiting = new Set<Session>();
  /** Sessions past `connect`: at most --max-sessions. */
  const connected = new Set<Session>();
  const tooMany = (): string => `the relay already has ${options.maxSessions} sessions (--max-sessions)`;
  const slots: SessionSlots = {
    admit(session) {
      waiting.delete(session);
      if (connected.size >= options.maxSessions) return new RelayError('too_many_sessions', tooMany());
      connected.add(session);
      return null;
    },
    release(session) {
      sessions.delete(session);
      waiting.delete(session);
      connected.delete(session);
    },
  };
  const loopback = isLoopbackBind(options.host);
  const policy: HandshakePolicy = {
    token: options.token,
    hostHeaders: null,
    extensionIds: options.extensionIds,
  };

  const wss = new WebSocketServer({
    noServer: true,
    clientTracking: false,
    maxPayload: options.maxMessage,
    // Compression of mail next to attacker-chosen bytes leaks secrets (CRIME); mail is
    // mostly compressed or small anyway.
    perMessageDeflate: false,
    handleProtocols: () => RELAY_SUBPROTOCOL,
  });

  const http = createServer(
    { connectionsCheckingInterval: HEADERS_CHECK_INTERVAL_MS },
    (req: IncomingMessage, res: ServerResponse) => {
      const headers = { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' };
      const hostRefusal = checkHostHeader(req.headers.host, policy.hostHeaders);
      if (hostRefusal) {
        log.refused(403, hostRefusal, remoteOf(req), req.headers.origin);
        res.writeHead(403, headers).end('Forbidden\n');
        return;
      }
      const path = requestPath(req.url);
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { ...headers, Allow: 'GET, HEAD' }).end('Method Not Allowed\n');
      } else if (path === RELAY_PATH) {
        res.writeHead(426, { ...headers, Upgrade: 'websocket' }).end(NOTICE);
      } else if (path === '/') {
        res.writeHead(200, headers).end(NOTICE);
      } else {
        res.writeHead(404, headers).end('Not Found\n');
      }
    },
  );

  // Local clients only, but a stalled request should not hold a socket for minutes.
  http.headersTimeout = HEADERS_TIMEOUT_MS;
  http.requestTimeout = 10_000;

  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const refusal = checkUpgrade(req.url, req.headers, policy);
    if (refusal) {
      log.refused(refusal.status, refusal.reason, remoteOf(req), req.headers.origin);
      refuse(socket, refusal.status);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const origin = req.headers.origin ?? '-';
      if (connected.size >= options.maxSessions) {
        // Refused after the upgrade, with an error frame, because a browser cannot see
        // the HTTP status of a failed upgrade and the user should see why.
        const frame: ServerFrame = {
          op: 'error',
          code: 'too_many_sessions',
          message: tooMany(),
        };
        ws.on('error', () => {});
        ws.send(JSON.stringify(frame));
        ws.close(RELAY_CLOSE_CODES.error, 'too_many_sessions');
        log.session({
          origin,
          target: '-',
          remote: '-',
          tls: '-',
          up: 0,
          down: 0,
          durationMs: 0,
          close: `${RELAY_CLOSE_CODES.error}/too_many_sessions`,
        });
        return;
      }
      if (waiting.size >= MAX_WAITING_SESSIONS) {
        const oldest = waiting.values().next().value!;
        waiting.delete(oldest);
        oldest.displace();
      }
      const session = new Session(ws, origin, options, log, slots);
      sessions.add(session);
      waiting.add(session);
    });
  });

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen({ host: options.host, port: options.port }, () => {
      http.off('error', reject);
      resolve();
    });
  });
  const port = (http.address() as AddressInfo).port;
  policy.hostHeaders = loopback ? allowedHostHeaders(options.host, port) : null;
  const shownHost = options.host.includes(':') ? `[${options.host}]` : options.host;

  return {
    port,
    url: `ws://${shownHost}:${port}${RELAY_PATH}`,
    async close() {
      http.close();
      for (const session of sessions) session.shutdown();
      const deadline = Date.now() + SHUTDOWN_GRACE_MS;
      while (sessions.size > 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      for (const session of sessions) session.terminate();
      http.closeAllConnections();
    },
  };
}
