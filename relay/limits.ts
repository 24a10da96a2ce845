/**
 * Every default limit of the relay, with the reason it exists. Each one can be changed with
 * the CLI flag named next to it (relay/args.ts); relay/PROTOCOL.md lists them all.
 */

/** `--port`: the relay's well-known port, shared with the extension's default settings. */
export { DEFAULT_RELAY_PORT } from './protocol.ts';

/** `--host`: loopback only, so nothing off this machine can reach the relay at all. */
export const DEFAULT_HOST = '127.0.0.1';

/** Mail ports allowed by default: POP3 110/995 and IMAP 143/993. Anything else needs `--allow-port`. */
export const DEFAULT_ALLOWED_PORTS: readonly number[] = [110, 143, 993, 995];

/**
 * `--max-sessions`: a browser holds one or two connections per account; 32 covers many
 * accounts while stopping a runaway client from exhausting file descriptors.
 */
export const DEFAULT_MAX_SESSIONS = 32;

/**
 * Sessions that have not sent `connect` yet do not count against `--max-sessions` but against
 * this budget; when it is full, a new upgrade closes the oldest waiting session
 * (too_many_sessions). A real client sends `connect` as soon as the WebSocket opens, so a
 * flood of silent sessions (which once held all 32 slots for the hello timeout and locked the
 * extension out) now holds no connect slot and can only displace a real session by opening 16
 * more within that session's first round trip.
 */
export const MAX_WAITING_SESSIONS = 16;

/**
 * `--max-message`: the largest WebSocket message the relay accepts (ws `maxPayload`). Mail
 * commands are small; the extension splits uploads into chunks. Bigger messages close the
 * WebSocket with 1009, so one message can never make the relay buffer more than this.
 */
export const DEFAULT_MAX_MESSAGE = 1024 * 1024;

/**
 * `--connect-timeout`: TCP connect plus the TLS handshake (implicit TLS and STARTTLS). A
 * server that needs longer is unusable for a notifier anyway; the OS default is minutes.
 */
export const DEFAULT_CONNECT_TIMEOUT_MS = 15_000;

/**
 * `--idle-timeout`: no mail bytes either way for this long closes the session (close 4001).
 * 31 minutes: an IMAP client must re-issue IDLE at least every 29 minutes (RFC 2177 §3),
 * and an idle POP3 server may drop us after 10 (RFC 1939 §3), so a live session never hits it.
 */
export const DEFAULT_IDLE_TIMEOUT_MS = 31 * 60_000;

/**
 * `--hello-timeout`: time allowed between the upgrade and the `connect` frame. A client that
 * says nothing holds a session slot for nothing.
 */
export const DEFAULT_HELLO_TIMEOUT_MS = 5_000;

/**
 * The HTTP request of an upgrade must be complete within this (Node's headersTimeout): the
 * browser sends it at once, so a request still arriving after 5 s is a slowloris holding a socket.
 */
export const HEADERS_TIMEOUT_MS = 5_000;

/**
 * How often Node looks for requests past HEADERS_TIMEOUT_MS (its connectionsCheckingInterval).
 * Node's 30 s default let a 10 s timeout hold a socket for 10-40 s; a scan of the few open
 * connections every 250 ms is nothing.
 */
export const HEADERS_CHECK_INTERVAL_MS = 250;

/**
 * Upstream reading pauses while more than this many bytes wait to go out on the WebSocket,
 * and resumes below LOW_WATER_MARK: bounds the relay's memory per session whatever the
 * mail server sends and however slowly the browser reads.
 */
export const HIGH_WATER_MARK = 1024 * 1024;
/** See HIGH_WATER_MARK. */
export const LOW_WATER_MARK = 256 * 1024;

/**
 * Reading from both sides also pauses while more than this many WebSocket messages wait to go
 * out, and resumes at QUEUED_SENDS_LOW: a queued message costs the relay a few hundred bytes
 * beyond its payload, so a megabyte of 15-byte pongs nobody reads would hold ~30 MiB.
 */
export const QUEUED_SENDS_HIGH = 1024;
/** See QUEUED_SENDS_HIGH. */
export const QUEUED_SENDS_LOW = 256;

/**
 * Largest WebSocket message the relay builds from TLS records that arrive together. Node hands
 * over a TLS upstream's plaintext one record (≤ 16 KiB) per callback, and every WebSocket
 * message costs the extension's worker a task; a plain socket's reads are up to 64 KiB already.
 */
export const TLS_MESSAGE_MAX_BYTES = 256 * 1024;

/** How long a closing upstream may take to flush what the client sent before it is destroyed. */
export const UPSTREAM_LINGER_MS = 2_000;

/** How long shutdown waits for sessions to close before exiting anyway. */
export const SHUTDOWN_GRACE_MS = 2_000;

/** Length of a generated pairing token in bytes: 256 bits, written as 43 base64url characters. */
export const TOKEN_BYTES = 32;
