/**
 * Parsing of the client's text frames (relay/protocol.ts `ClientFrame`). Pure: a string in,
 * a typed frame or the reason for `bad_request` out.
 */
import { isIP } from 'node:net';
import { normaliseFingerprint } from './fingerprint.ts';
import type { ClientFrame, ConnectRequest, TlsMode } from './protocol.ts';

export type ParsedFrame = { ok: true; frame: ClientFrame } | { ok: false; message: string };

const TLS_MODES: readonly TlsMode[] = ['implicit', 'starttls', 'none'];
/** Letters, digits, `-` and `_` (seen in internal names); 1–63 per label, 253 in all (RFC 1035 §2.3.4). */
const LABEL = /^[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$/;

/** A host name or IP literal (IPv6 with or without brackets), normalised; null if neither. */
export function normaliseHost(host: string): string | null {
  const unbracketed = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (isIP(unbracketed) !== 0) return unbracketed.toLowerCase();
  if (unbracketed !== host) return null;
  const name = host.endsWith('.') ? host.slice(0, -1) : host;
  if (name.length === 0 || name.length > 253) return null;
  if (!name.split('.').every((label) => LABEL.test(label))) return null;
  // An all-numeric name like 2130706433 is an IPv4 address to getaddrinfo; the resolved
  // address is checked anyway, this only keeps log lines and SNI honest.
  return name.toLowerCase();
}

function fail(message: string): ParsedFrame {
  return { ok: false, message };
}

/** Parses one text frame from the client. */
export function parseClientFrame(text: string): ParsedFrame {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return fail('frame is not JSON');
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return fail('frame is not an object');
  const frame = data as Record<string, unknown>;
  switch (frame.op) {
    case 'hello':
      return { ok: true, frame: { op: 'hello' } };
    case 'ping':
      return { ok: true, frame: { op: 'ping' } };
    case 'starttls':
      return { ok: true, frame: { op: 'starttls' } };
    case 'connect':
      return parseConnect(frame);
    default:
      return fail(typeof frame.op === 'string' ? `unknown op: ${frame.op.slice(0, 32)}` : 'missing "op"');
  }
}

function parseConnect(frame: Record<string, unknown>): ParsedFrame {
  if (typeof frame.host !== 'string') return fail('connect: "host" must be a string');
  const host = normaliseHost(frame.host);
  if (host === null) return fail('connect: "host" is not a host name or IP address');
  const port = frame.port;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
    return fail('connect: "port" must be an integer 1–65535');
  }
  if (!TLS_MODES.includes(frame.tls as TlsMode)) {
    return fail(`connect: "tls" must be one of ${TLS_MODES.join(', ')}`);
  }
  const request: ConnectRequest = { op: 'connect', host, port, tls: frame.tls as TlsMode };
  if (frame.pin !== undefined) {
    if (typeof frame.pin !== 'string' || normaliseFingerprint(frame.pin) === null) {
      return fail('connect: "pin" must be a SHA-256 fingerprint (64 hex digits, colons optional)');
    }
    request.pin = frame.pin;
  }
  return { ok: true, frame: request };
}
