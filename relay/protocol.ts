/**
 * The relay's wire contract, shared by the relay (Node) and the extension's relay socket.
 * Type-only plus a few constants: no Node or browser imports, so both sides can import it.
 * The prose version, with the reasons, is relay/PROTOCOL.md.
 */

/** WebSocket path of protocol version 1. */
export const RELAY_PATH = '/v1';
/** Subprotocol the relay selects; the client also offers `biff.token.<token>`. */
export const RELAY_SUBPROTOCOL = 'biff.v1';
/** Prefix of the subprotocol that carries the pairing token. */
export const TOKEN_SUBPROTOCOL_PREFIX = 'biff.token.';
/** Default TCP port of the relay. */
export const DEFAULT_RELAY_PORT = 6512;

/** How the relay secures the upstream connection. */
export type TlsMode = 'implicit' | 'starttls' | 'none';

/** First frame from the client. `pin` is a SHA-256 fingerprint as Node's `fingerprint256` writes it. */
export interface ConnectRequest {
  op: 'connect';
  host: string;
  port: number;
  tls: TlsMode;
  pin?: string;
}

/** What the relay reports of an established TLS session. */
export interface TlsInfo {
  authorized: boolean;
  protocol: string | null;
  cipher: string | null;
  fingerprint256: string;
  subject: string;
  issuer: string;
  validTo: string;
}

/** Certificate details sent with `tls_untrusted`, so the user can decide to pin it. */
export interface CertificateDetails {
  fingerprint256: string;
  subject: string;
  issuer: string;
  validFrom: string;
  validTo: string;
  /** Why verification failed, e.g. `DEPTH_ZERO_SELF_SIGNED_CERT`. */
  reason: string;
}

/** Every error code the relay sends, documented in relay/PROTOCOL.md. */
export const RELAY_ERROR_CODES = [
  'bad_request',
  'target_denied',
  'dns_failed',
  'connect_refused',
  'connect_timeout',
  'tls_failed',
  'tls_untrusted',
  'too_many_sessions',
  'idle_timeout',
  'upstream_closed',
] as const;
export type RelayErrorCode = (typeof RELAY_ERROR_CODES)[number];

/**
 * `hello` asks the relay who it is; allowed once, before `connect` (which may still follow).
 * A relay older than 0.2.0 answers it with `bad_request`.
 */
export type ClientFrame = ConnectRequest | { op: 'hello' } | { op: 'starttls' } | { op: 'ping' };

/** The relay's answer to `hello`: its software version (`0.2.0`) and protocol (`biff.v1`). */
export interface HelloFrame {
  op: 'hello';
  version: string;
  protocol: string;
}

export type ServerFrame =
  | HelloFrame
  | { op: 'connected'; remote: string; tls?: TlsInfo }
  | { op: 'secured'; tls: TlsInfo }
  | { op: 'pong' }
  | { op: 'error'; code: RelayErrorCode; message: string; certificate?: CertificateDetails };

/** WebSocket close codes the relay uses (4000–4999 is the application range). */
export const RELAY_CLOSE_CODES = {
  /** Upstream closed normally. */
  normal: 1000,
  /** Message larger than the limit. */
  tooBig: 1009,
  /** A refused request (bad frame, target denied, TLS refused, …): see the error frame. */
  error: 4000,
  /** No traffic either way for the idle timeout. */
  idle: 4001,
  /** The relay is shutting down. */
  shutdown: 1001,
} as const;

/** Name of the native messaging host `biff-relay install` registers (PROTOCOL.md, "Pairing"). */
export const NATIVE_HOST_NAME = 'biff_relay';

/** The extension's one native request: where is the relay, and what is its token? */
export interface PairRequest {
  type: 'pair';
}

/** Every code of a native host error reply. */
export const NATIVE_ERROR_CODES = [
  'too_large',
  'bad_json',
  'bad_request',
  'config_unusable',
  'port_taken',
  'relay_not_started',
] as const;
export type NativeErrorCode = (typeof NATIVE_ERROR_CODES)[number];

/** The native host's answer to `pair`. */
export type PairReply =
  | {
      ok: true;
      /** `ws://127.0.0.1:6512/v1` */
      url: string;
      token: string;
      /** The relay's software version, e.g. `0.2.0`. */
      version: string;
      /** True when this request started the relay (it was not running). */
      started: boolean;
      /** A shell command that starts this installation of the relay, for "relay not running" advice. */
      startCommand: string;
    }
  | { ok: false; code: NativeErrorCode; message: string };
