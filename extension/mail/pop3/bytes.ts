/**
 * Byte helpers for the POP3 modules. Uint8Array, TextEncoder and TextDecoder only (no Buffer),
 * so everything here runs in a browser service worker.
 */

export const LF = 0x0a;
export const CR = 0x0d;
export const DOT = 0x2e;

const encoder = new TextEncoder();
// Not fatal: server text is for messages and logs, and a stray Latin-1 byte must not throw.
const decoder = new TextDecoder('utf-8');

/** UTF-8 bytes of a string. */
export function encodeUtf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/** A string from UTF-8 bytes; invalid sequences become U+FFFD. */
export function decodeUtf8(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

/**
 * A string with one character per byte (ISO-8859-1). Lossless, so it suits identifiers such as
 * UIDL unique-ids, which must compare equal from one session to the next even when a server
 * puts bytes outside ASCII in them.
 */
export function decodeLatin1(bytes: Uint8Array): string {
  let out = '';
  // Bounded slices: String.fromCharCode takes its arguments on the stack.
  for (let i = 0; i < bytes.length; i += 8192) {
    out += String.fromCharCode(...bytes.subarray(i, i + 8192));
  }
  return out;
}

/** Standard base64 (RFC 4648 §4) of bytes, as SASL wants it (RFC 5034 §4). */
export function bytesToBase64(bytes: Uint8Array): string {
  return btoa(decodeLatin1(bytes));
}

/**
 * Server text made safe for an error message: control characters escaped, cut to `max`
 * characters so a garbage reply cannot flood a log.
 */
export function printable(text: string, max = 60): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: escaping control characters is the point
  const escaped = text.replace(/[\x00-\x1f\x7f]/g, (ch) => {
    if (ch === '\r') return '\\r';
    if (ch === '\n') return '\\n';
    if (ch === '\t') return '\\t';
    return `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`;
  });
  return escaped.length > max ? `${escaped.slice(0, max)}…` : escaped;
}
