/**
 * Reaching the mail server: resolve once, check every address, connect to a checked address
 * by IP, and secure the socket with TLS verified against the CA store or the client's pin.
 * Every step takes an AbortSignal (the session's connect timeout or its end) and throws
 * RelayError with the protocol code.
 */
import { lookup } from 'node:dns/promises';
import { isIP, connect as netConnect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { type TLSSocket, connect as tlsConnect } from 'node:tls';
import { RelayError } from './errors.ts';
import { fingerprintsEqual } from './fingerprint.ts';
import { checkAddresses, checkPort } from './policy.ts';
import type { TlsInfo } from './protocol.ts';
import { certificateDetails, tlsInfo } from './tls-info.ts';

/** Which targets a session may reach. */
export interface TargetPolicy {
  allowedPorts: readonly number[];
  allowPrivate: boolean;
}

/** Rejects when `signal` aborts, with its reason. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/**
 * The addresses to try for `host:port`, after the policy accepted the port and every address.
 * One lookup only: the socket connects to these literals, so a DNS answer cannot change
 * between check and use (DNS rebinding against the target policy).
 */
export async function resolveTarget(
  host: string,
  port: number,
  policy: TargetPolicy,
  signal: AbortSignal,
): Promise<string[]> {
  const portRefusal = checkPort(port, policy.allowedPorts);
  if (portRefusal) throw new RelayError('target_denied', portRefusal);
  let addresses: string[];
  if (isIP(host) !== 0) {
    addresses = [host];
  } else {
    try {
      const answers = await abortable(lookup(host, { all: true, verbatim: true }), signal);
      addresses = answers.map((a) => a.address);
    } catch (error) {
      if (error instanceof RelayError) throw error;
      const code = (error as NodeJS.ErrnoException).code ?? 'error';
      throw new RelayError('dns_failed', `cannot resolve ${host}: ${code}`);
    }
    if (addresses.length === 0) throw new RelayError('dns_failed', `${host} has no addresses`);
  }
  const refusal = checkAddresses(addresses, policy.allowPrivate);
  if (refusal) throw new RelayError('target_denied', refusal);
  return addresses;
}

/** `ip:port`, with brackets for IPv6. */
export function formatRemote(address: string, port: number): string {
  return isIP(address) === 6 ? `[${address}]:${port}` : `${address}:${port}`;
}

function connectOne(address: string, port: number, signal: AbortSignal): Promise<Socket> {
  return new Promise<Socket>((resolve, reject) => {
    const socket = netConnect({ host: address, port, noDelay: true });
    const onAbort = (): void => {
      socket.destroy();
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => {
      signal.removeEventListener('abort', onAbort);
      socket.removeListener('error', onError);
      resolve(socket);
    });
    const onError = (error: NodeJS.ErrnoException): void => {
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      reject(error);
    };
    socket.once('error', onError);
  });
}

/**
 * Connects to the first checked address that answers. Later addresses are tried only after
 * an earlier one failed (e.g. `localhost` → ::1 refused, 127.0.0.1 accepted), all within
 * the one connect timeout.
 */
export async function connectTcp(
  addresses: readonly string[],
  port: number,
  signal: AbortSignal,
): Promise<Socket> {
  let last: NodeJS.ErrnoException | null = null;
  for (const address of addresses) {
    try {
      const socket = await connectOne(address, port, signal);
      socket.setKeepAlive(true, 60_000);
      // Whoever owns the socket next listens for errors too; this one only keeps an error
      // that arrives while ownership changes hands (TLS wrap) from crashing the relay.
      socket.on('error', () => {});
      return socket;
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      last = error as NodeJS.ErrnoException;
    }
  }
  const code = last?.code ?? 'error';
  const where = formatRemote(addresses[addresses.length - 1] ?? '?', port);
  if (code === 'ETIMEDOUT') throw new RelayError('connect_timeout', `connecting to ${where} timed out`);
  if (code === 'ECONNREFUSED') throw new RelayError('connect_refused', `${where} refused the connection`);
  throw new RelayError('connect_refused', `cannot connect to ${where}: ${code}`);
}

/** A verified TLS connection. */
export interface Secured {
  socket: TLSSocket;
  info: TlsInfo;
}

/** The verification error of an unauthorized socket, as a code string. */
function authorizationReason(socket: TLSSocket): string {
  const error: unknown = socket.authorizationError;
  if (typeof error === 'string') return error;
  if (error instanceof Error) return (error as NodeJS.ErrnoException).code ?? error.message;
  return 'UNKNOWN';
}

/**
 * Starts TLS on a connected socket (implicit TLS, or STARTTLS in place) and verifies it before
 * anyone reads a byte from it: trusted by the CA store for `host` (SNI and name check use the
 * host name; an IP literal is checked against the certificate's IP addresses and sends no
 * SNI), or else the leaf's SHA-256 fingerprint equals `pin`. `rejectUnauthorized: false` is
 * only so the failure can be reported with the certificate; nothing is piped until this
 * resolves, and it rejects on every unverified certificate.
 */
export function secure(
  socket: Duplex,
  host: string,
  pin: string | undefined,
  signal: AbortSignal,
): Promise<Secured> {
  return new Promise<Secured>((resolve, reject) => {
    const tlsSocket = tlsConnect({
      socket,
      host,
      servername: isIP(host) === 0 ? host : undefined,
      rejectUnauthorized: false,
    });
    const finish = (error: unknown, result?: Secured): void => {
      signal.removeEventListener('abort', onAbort);
      tlsSocket.removeListener('error', onError);
      tlsSocket.removeListener('close', onClose);
      tlsSocket.removeListener('secureConnect', onSecure);
      if (result) {
        resolve(result);
      } else {
        // Keep a listener: a late error on a destroyed socket must not crash the relay.
        tlsSocket.on('error', () => {});
        tlsSocket.destroy();
        socket.destroy();
        reject(error);
      }
    };
    const onAbort = (): void => finish(signal.reason);
    const onError = (error: NodeJS.ErrnoException): void =>
      finish(new RelayError('tls_failed', `TLS handshake failed: ${error.code ?? error.message}`));
    const onClose = (): void =>
      finish(new RelayError('tls_failed', 'server closed the connection during TLS'));
    const onSecure = (): void => {
      if (tlsSocket.authorized) {
        finish(null, { socket: tlsSocket, info: tlsInfo(tlsSocket, true) });
        return;
      }
      const info = tlsInfo(tlsSocket, false);
      if (pin !== undefined && fingerprintsEqual(pin, info.fingerprint256)) {
        finish(null, { socket: tlsSocket, info });
        return;
      }
      const reason = authorizationReason(tlsSocket);
      const details = certificateDetails(tlsSocket, reason);
      const message =
        pin === undefined
          ? `certificate not trusted: ${reason}`
          : `certificate not trusted (${reason}) and not the pinned one`;
      finish(new RelayError('tls_untrusted', message, details));
    };
    if (signal.aborted) {
      onAbort();
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    tlsSocket.once('error', onError);
    tlsSocket.once('close', onClose);
    tlsSocket.once('secureConnect', onSecure);
  });
}
