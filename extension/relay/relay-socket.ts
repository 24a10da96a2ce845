/**
 * The extension's end of the relay protocol (relay/PROTOCOL.md): a WebSocket to the companion
 * relay that carries one TCP/TLS connection to a mail server. Implements `Transport`, so POP3
 * drives it directly and IMAP through imapflow's `transport` option. Runs in the service worker
 * with the browser's WebSocket and in Node tests with `ws`.
 */
import {
  type ClientFrame,
  RELAY_CLOSE_CODES,
  RELAY_ERROR_CODES,
  RELAY_SUBPROTOCOL,
  type ServerFrame,
  TOKEN_SUBPROTOCOL_PREFIX,
} from '../../relay/protocol.ts';
import { MIN_RELAY_VERSION, relayVersionSupported } from './relay-version.ts';
import {
  type CloseReason,
  type RelayEndpoint,
  type Target,
  type TlsInfo,
  type Transport,
  TransportError,
} from './transport.ts';

/** The part of the WebSocket API we use; the browser's and `ws`'s both fit. */
export interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  readonly bufferedAmount: number;
  readonly protocol: string;
  send(data: string | ArrayBufferLike | ArrayBufferView): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open', listener: () => void): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  addEventListener(type: 'close', listener: (event: { code: number; reason: string }) => void): void;
  addEventListener(type: 'error', listener: (event: unknown) => void): void;
}
export type WebSocketConstructor = new (url: string, protocols: string[]) => WebSocketLike;

/**
 * Chrome stops an idle MV3 service worker after 30 s; since Chrome 116 WebSocket traffic resets
 * that timer, so a ping every 20 s keeps the worker alive while a connection is held.
 * https://developer.chrome.com/docs/extensions/how-to/web-platform/websockets
 */
export const KEEPALIVE_INTERVAL_MS = 20_000;
/** The relay answers `connect` within its own connect timeout (15 s); allow a little more. */
export const OPEN_TIMEOUT_MS = 20_000;
/** Writes wait while more than this is queued in the WebSocket, so a large APPEND cannot balloon memory. */
export const WRITE_HIGH_WATER_BYTES = 1 << 20;
const WRITE_POLL_MS = 5;

export interface RelaySocketOptions {
  /** WebSocket implementation; defaults to the global one. */
  WebSocket?: WebSocketConstructor;
  openTimeoutMs?: number;
  keepaliveMs?: number;
  /**
   * Called when the WebSocket closed before it opened, to tell "relay not running" from "relay
   * refused us" (a browser WebSocket hides the HTTP status). Resolves true when something
   * answers HTTP at the relay's address. Defaults to a no-cors fetch.
   */
  probeRelay?: (httpUrl: string) => Promise<boolean>;
}

const OPEN = 1;

async function defaultProbe(httpUrl: string): Promise<boolean> {
  try {
    await fetch(httpUrl, { mode: 'no-cors', cache: 'no-store' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Why a WebSocket closed before it opened. A browser hides the HTTP status of a refused
 * handshake, so ask whether anything answers HTTP there: yes means the relay refused us.
 */
async function closedBeforeOpen(
  endpoint: RelayEndpoint,
  options: RelaySocketOptions,
): Promise<TransportError> {
  const reachable = await (options.probeRelay ?? defaultProbe)(endpoint.url.replace(/^ws/, 'http'));
  return reachable
    ? new TransportError(
        'relay_refused',
        'The relay refused the connection: check the pairing token (and the extension ID, if the relay limits them)',
      )
    : new TransportError('relay_unreachable', 'The relay is not running or not reachable at this address');
}

function isServerFrame(value: unknown): value is ServerFrame {
  return typeof value === 'object' && value !== null && typeof (value as { op?: unknown }).op === 'string';
}

function toBytes(data: unknown): Uint8Array | null {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return null;
}

/** Opens a relay connection to `target`; resolves once the relay says `connected`. */
export function openRelaySocket(
  endpoint: RelayEndpoint,
  target: Target,
  options: RelaySocketOptions = {},
): Promise<RelaySocket> {
  const socket = new RelaySocket(endpoint, target, options);
  return socket.opened.then(() => socket);
}

/** One relay session. Use `openRelaySocket()`. */
export class RelaySocket implements Transport {
  remote = '';
  tls: TlsInfo | null = null;
  /** Resolves when the upstream connection is up, rejects with a TransportError. */
  readonly opened: Promise<void>;

  private readonly ws: WebSocketLike;
  private dataHandler: ((chunk: Uint8Array) => void) | null = null;
  private readonly early: Uint8Array[] = [];
  private closeHandlers: Array<(reason: CloseReason) => void> = [];
  private closed = false;
  private closeReason: CloseReason = null;
  private failure: TransportError | null = null;
  private pendingTls: { resolve: (tls: TlsInfo) => void; reject: (err: TransportError) => void } | null =
    null;
  private keepalive: ReturnType<typeof setInterval> | null = null;
  private bytesIn = 0;
  private bytesOut = 0;

  constructor(
    private readonly endpoint: RelayEndpoint,
    target: Target,
    private readonly options: RelaySocketOptions = {},
  ) {
    const Ctor = options.WebSocket ?? (globalThis.WebSocket as unknown as WebSocketConstructor);
    if (!/^wss?:\/\//.test(endpoint.url)) {
      throw new TransportError('relay_unreachable', 'The relay URL must start with ws:// or wss://');
    }
    this.ws = new Ctor(endpoint.url, [RELAY_SUBPROTOCOL, TOKEN_SUBPROTOCOL_PREFIX + endpoint.token]);
    this.ws.binaryType = 'arraybuffer';
    this.opened = new Promise<void>((resolve, reject) => {
      let wasOpen = false;
      const timer = setTimeout(() => {
        this.fail(new TransportError('relay_closed', 'The relay did not answer in time'));
      }, options.openTimeoutMs ?? OPEN_TIMEOUT_MS);
      const settle = (err: TransportError | null) => {
        clearTimeout(timer);
        if (err) reject(err);
        else resolve();
      };
      this.ws.addEventListener('open', () => {
        wasOpen = true;
        if (this.ws.protocol !== RELAY_SUBPROTOCOL) {
          this.fail(new TransportError('relay_protocol', 'The server at the relay URL is not a Biff relay'));
          return;
        }
        const frame: Record<string, unknown> = {
          op: 'connect',
          host: target.host,
          port: target.port,
          tls: target.tls,
        };
        if (target.pin) frame.pin = target.pin;
        this.ws.send(JSON.stringify(frame));
      });
      this.ws.addEventListener('message', (event) => this.onMessage(event.data, settle));
      this.ws.addEventListener('error', () => {
        /* the close event that follows carries what we know */
      });
      this.ws.addEventListener('close', (event) => {
        void this.onWsClose(event.code, event.reason, wasOpen).then((err) => {
          if (this.remote === '')
            settle(err ?? new TransportError('relay_closed', 'The relay closed the connection'));
        });
      });
    });
    // A rejection nobody awaited yet must not become an unhandled rejection in the worker.
    this.opened.catch(() => {});
  }

  private onMessage(data: unknown, settle: (err: TransportError | null) => void): void {
    const bytes = toBytes(data);
    if (bytes) {
      this.bytesIn += bytes.byteLength;
      // Between our STARTTLS request and `secured`, cleartext from the server can only be an
      // injection (RFC 3207 §6 / RFC 2595 §3.1): the relay drops what follows the request, and
      // we drop what raced ahead of it.
      if (this.pendingTls) return;
      if (this.dataHandler) this.dataHandler(bytes);
      else this.early.push(bytes);
      return;
    }
    let frame: unknown;
    try {
      frame = JSON.parse(String(data));
    } catch {
      this.fail(new TransportError('relay_protocol', 'The relay sent a frame that is not JSON'));
      return;
    }
    if (!isServerFrame(frame)) {
      this.fail(new TransportError('relay_protocol', 'The relay sent an unknown frame'));
      return;
    }
    switch (frame.op) {
      case 'connected':
        this.remote = frame.remote;
        this.tls = frame.tls ?? null;
        this.startKeepalive();
        settle(null);
        return;
      case 'secured':
        this.tls = frame.tls;
        this.pendingTls?.resolve(frame.tls);
        this.pendingTls = null;
        return;
      case 'pong':
        return;
      case 'error': {
        const code = (RELAY_ERROR_CODES as readonly string[]).includes(frame.code)
          ? frame.code
          : 'relay_protocol';
        const err = new TransportError(code, frame.message, frame.certificate);
        this.failure = err;
        if (this.remote === '') settle(err);
        this.pendingTls?.reject(err);
        this.pendingTls = null;
        return;
      }
    }
  }

  private async onWsClose(code: number, reason: string, wasOpen: boolean): Promise<TransportError | null> {
    this.stopKeepalive();
    let err: TransportError | null = this.failure;
    if (!err && !wasOpen) err = await closedBeforeOpen(this.endpoint, this.options);
    if (!err && code === RELAY_CLOSE_CODES.idle)
      err = new TransportError('idle_timeout', 'The relay closed an idle connection');
    if (!err && code === RELAY_CLOSE_CODES.tooBig)
      err = new TransportError('relay_protocol', 'A frame exceeded the relay message limit');
    if (!err && code !== RELAY_CLOSE_CODES.normal && code !== RELAY_CLOSE_CODES.shutdown) {
      err = new TransportError(
        'relay_closed',
        `The relay connection closed (${code}${reason ? `: ${reason}` : ''})`,
      );
    }
    if (!err && code === RELAY_CLOSE_CODES.shutdown)
      err = new TransportError('relay_closed', 'The relay shut down');
    this.finish(err);
    return err;
  }

  private finish(reason: CloseReason): void {
    if (this.closed) return;
    this.closed = true;
    this.closeReason = reason;
    this.pendingTls?.reject(reason ?? new TransportError('relay_closed', 'Closed during STARTTLS'));
    this.pendingTls = null;
    const handlers = this.closeHandlers;
    this.closeHandlers = [];
    for (const handler of handlers) handler(reason);
  }

  private fail(err: TransportError): void {
    this.failure ??= err;
    try {
      this.ws.close(1000);
    } catch {
      /* already closing */
    }
  }

  private startKeepalive(): void {
    const every = this.options.keepaliveMs ?? KEEPALIVE_INTERVAL_MS;
    this.keepalive = setInterval(() => {
      if (this.ws.readyState === OPEN) this.ws.send('{"op":"ping"}');
    }, every);
  }

  private stopKeepalive(): void {
    if (this.keepalive) clearInterval(this.keepalive);
    this.keepalive = null;
  }

  onData(handler: (chunk: Uint8Array) => void): void {
    this.dataHandler = handler;
    while (this.early.length > 0 && this.dataHandler === handler) handler(this.early.shift()!);
  }

  onClose(handler: (reason: CloseReason) => void): void {
    if (this.closed) queueMicrotask(() => handler(this.closeReason));
    else this.closeHandlers.push(handler);
  }

  async write(bytes: Uint8Array): Promise<void> {
    if (this.closed || this.ws.readyState !== OPEN) {
      throw this.closeReason ?? new TransportError('relay_closed', 'The connection is closed');
    }
    this.ws.send(bytes);
    this.bytesOut += bytes.byteLength;
    while (this.ws.bufferedAmount > WRITE_HIGH_WATER_BYTES && !this.closed) {
      await new Promise((r) => setTimeout(r, WRITE_POLL_MS));
    }
  }

  startTls(): Promise<TlsInfo> {
    if (this.closed) return Promise.reject(this.closeReason ?? new TransportError('relay_closed', 'Closed'));
    if (this.pendingTls)
      return Promise.reject(new TransportError('bad_request', 'STARTTLS already in progress'));
    return new Promise<TlsInfo>((resolve, reject) => {
      this.pendingTls = { resolve, reject };
      this.ws.send('{"op":"starttls"}');
    });
  }

  close(): void {
    this.stopKeepalive();
    if (this.closed) return;
    try {
      this.ws.close(1000);
    } catch {
      /* already closing */
    }
  }

  /** Bytes received and sent over this session, for diagnostics. */
  get traffic(): { in: number; out: number } {
    return { in: this.bytesIn, out: this.bytesOut };
  }
}

/** A TransportFactory bound to one relay endpoint. */
export function relayTransportFactory(endpoint: RelayEndpoint, options: RelaySocketOptions = {}) {
  return (target: Target): Promise<Transport> => openRelaySocket(endpoint, target, options);
}

/**
 * Whether the relay accepts us (token, origin) and is new enough, without opening a mail
 * connection: the WebSocket handshake, then `hello`. Resolves with the relay's software
 * version, or rejects with `relay_unreachable` / `relay_refused` / `relay_protocol` /
 * `relay_outdated` (a relay before 0.2.0 answers `hello` with `bad_request`).
 */
export function checkRelay(endpoint: RelayEndpoint, options: RelaySocketOptions = {}): Promise<string> {
  const Ctor = options.WebSocket ?? (globalThis.WebSocket as unknown as WebSocketConstructor);
  if (!/^wss?:\/\//.test(endpoint.url)) {
    return Promise.reject(
      new TransportError('relay_unreachable', 'The relay URL must start with ws:// or wss://'),
    );
  }
  return new Promise<string>((resolve, reject) => {
    let opened = false;
    let settled = false;
    const ws = new Ctor(endpoint.url, [RELAY_SUBPROTOCOL, TOKEN_SUBPROTOCOL_PREFIX + endpoint.token]);
    const settle = (result: string | TransportError) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      ws.close(1000);
      if (typeof result === 'string') resolve(result);
      else reject(result);
    };
    const timer = setTimeout(() => {
      settle(new TransportError('relay_unreachable', 'The relay did not answer in time'));
    }, options.openTimeoutMs ?? OPEN_TIMEOUT_MS);
    const outdated = (version: string | null) =>
      new TransportError(
        'relay_outdated',
        `The relay is ${version ? `version ${version}` : 'older than 0.2.0'}; this Biff needs ${MIN_RELAY_VERSION} or newer. Install the current biff-relay.`,
      );
    ws.addEventListener('open', () => {
      opened = true;
      if (ws.protocol !== RELAY_SUBPROTOCOL) {
        settle(new TransportError('relay_protocol', 'The server at the relay URL is not a Biff relay'));
        return;
      }
      ws.send(JSON.stringify({ op: 'hello' } satisfies ClientFrame));
    });
    ws.addEventListener('message', (event) => {
      let frame: unknown = null;
      try {
        frame = typeof event.data === 'string' ? JSON.parse(event.data) : null;
      } catch {
        frame = null;
      }
      if (!isServerFrame(frame)) {
        settle(new TransportError('relay_protocol', 'The relay sent something that is not its protocol'));
      } else if (frame.op === 'hello' && typeof frame.version === 'string') {
        settle(relayVersionSupported(frame.version) ? frame.version : outdated(frame.version));
      } else if (frame.op === 'error' && frame.code === 'bad_request') {
        settle(outdated(null));
      } else {
        settle(new TransportError('relay_protocol', `The relay answered "hello" with "${frame.op}"`));
      }
    });
    ws.addEventListener('error', () => {});
    ws.addEventListener('close', () => {
      if (settled) return;
      if (opened) {
        settle(new TransportError('relay_closed', 'The relay closed the connection before saying who it is'));
        return;
      }
      settled = true;
      clearTimeout(timer);
      void closedBeforeOpen(endpoint, options).then(reject);
    });
  });
}
