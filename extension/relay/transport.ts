/**
 * The one byte-stream shape every mail protocol runs on (STYLE.md convention 3). The relay
 * socket implements it in the extension and in Node tests; POP3 drives it directly and IMAP
 * reaches it through imapflow's `transport` option (see imapflow-transport.ts). Tests of pure
 * protocol code replace it with recorded transcripts.
 */
import type { CertificateDetails, RelayErrorCode, TlsInfo, TlsMode } from '../../relay/protocol.ts';

export type { CertificateDetails, RelayErrorCode, TlsInfo, TlsMode };

/** Where the relay listens and the secret that pairs us with it. */
export interface RelayEndpoint {
  /** e.g. `ws://127.0.0.1:6512/v1` */
  url: string;
  token: string;
}

/** The mail server to reach through the relay. */
export interface Target {
  host: string;
  port: number;
  tls: TlsMode;
  /** SHA-256 fingerprint of a certificate the user chose to trust. */
  pin?: string;
}

/** Why a transport closed: null for a clean close by either side. */
export type CloseReason = TransportError | null;

/** An open connection to a mail server. */
export interface Transport {
  /** `ip:port` the relay connected to. */
  readonly remote: string;
  /** TLS state, null while the connection is cleartext. */
  readonly tls: TlsInfo | null;
  /**
   * Sets the receiver of server bytes. Bytes that arrived before a handler was set are
   * delivered to it at once, in order.
   */
  onData(handler: (chunk: Uint8Array) => void): void;
  /** Called once when the connection ends, with the reason. */
  onClose(handler: (reason: CloseReason) => void): void;
  /** Sends bytes to the server. Resolves when the bytes are handed on (backpressure). */
  write(bytes: Uint8Array): Promise<void>;
  /** Upgrades the connection in place (after the protocol's STARTTLS/STLS was accepted). */
  startTls(): Promise<TlsInfo>;
  /** Closes the connection; idempotent. */
  close(): void;
}

/** Opens a transport to a target. */
export type TransportFactory = (target: Target) => Promise<Transport>;

/** Codes of transport failures: the relay's own, plus what only the client side can see. */
export type TransportErrorCode =
  | RelayErrorCode
  /** The relay could not be reached at all (not running, wrong port). */
  | 'relay_unreachable'
  /** The relay refused the pairing token (HTTP 401) or the origin (HTTP 403). */
  | 'relay_refused'
  /** The relay or the connection went away without an error frame. */
  | 'relay_closed'
  /** The relay sent something that is not protocol. */
  | 'relay_protocol'
  /** The relay is older than MIN_RELAY_VERSION (relay-version.ts). */
  | 'relay_outdated';

/** A failure of the transport layer, carrying the relay's code. Never carries the token. */
export class TransportError extends Error {
  override readonly name = 'TransportError';
  constructor(
    readonly code: TransportErrorCode,
    message: string,
    /** Present with `tls_untrusted`: what to show the user before pinning. */
    readonly certificate?: CertificateDetails,
  ) {
    super(message);
  }
}
