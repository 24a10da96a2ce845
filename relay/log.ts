/**
 * The relay's log: one line per session on stderr, refused handshakes with `--verbose`.
 * Lines carry addresses, counts and reasons, never the token, credentials or mail bytes
 * (nothing here ever sees a payload).
 */
import type { Writable } from 'node:stream';

/** One finished session, as logged. */
export interface SessionRecord {
  origin: string;
  /** `host:port` as the client asked, or `-` before a valid connect frame. */
  target: string;
  /** `ip:port` connected to, or `-`. */
  remote: string;
  tls: string;
  /** Bytes client → server. */
  up: number;
  /** Bytes server → client. */
  down: number;
  durationMs: number;
  /** Close code and reason, e.g. `1000 upstream_closed`, `4000 target_denied`. */
  close: string;
}

/** Where the relay writes its lines. */
export interface Logger {
  /** Startup and shutdown notices: always written. */
  info(message: string): void;
  /** A finished session: silent with `--quiet`. */
  session(record: SessionRecord): void;
  /** A refused handshake: only with `--verbose`. */
  refused(status: number, reason: string, remote: string, origin: string | undefined): void;
}

/** Quotes a value if it could break the line format (it never should: inputs are validated). */
function field(value: string | number): string {
  const text = String(value);
  return /^[\w.:/[\]@-]+$/.test(text) ? text : JSON.stringify(text);
}

/** Formats a session line; exported for tests. */
export function formatSession(record: SessionRecord, now: Date = new Date()): string {
  const parts = [
    ['origin', record.origin],
    ['target', record.target],
    ['remote', record.remote],
    ['tls', record.tls],
    ['up', record.up],
    ['down', record.down],
    ['duration', `${(record.durationMs / 1000).toFixed(3)}s`],
    ['close', record.close],
  ] as const;
  return `${now.toISOString()} session ${parts.map(([k, v]) => `${k}=${field(v)}`).join(' ')}`;
}

/** A logger writing to `stream` (stderr in production). */
export function createLogger(options: { quiet: boolean; verbose: boolean; stream: Writable }): Logger {
  const write = (line: string): void => {
    options.stream.write(`${line}\n`);
  };
  return {
    info(message) {
      write(`${new Date().toISOString()} ${message}`);
    },
    session(record) {
      if (!options.quiet) write(formatSession(record));
    },
    refused(status, reason, remote, origin) {
      if (!options.verbose) return;
      write(
        `${new Date().toISOString()} refused status=${status} reason=${field(reason)} from=${field(remote)} origin=${field(origin ?? '-')}`,
      );
    },
  };
}
