/**
 * Decoding the first bytes of a body part (BODY.PEEK[n]<0.len>): transfer encoding (RFC 2045
 * §6.7 quoted-printable, §6.8 base64) and charset, tolerating a cut anywhere, since the server
 * cuts the part at an octet count, not at a character or an encoded group. Pure.
 */

const BASE64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const BASE64_VALUE = new Int16Array(128).fill(-1);
for (let i = 0; i < BASE64_ALPHABET.length; i++) BASE64_VALUE[BASE64_ALPHABET.charCodeAt(i)] = i;

/**
 * Where decodePartPrefix decodes into: the bytes only live until TextDecoder has made the
 * string, so one buffer serves every preview. A fresh array per preview (thousands in an initial
 * sync) cost more than the decoding: allocating ArrayBuffers is slow in a service worker.
 */
let scratch = new Uint8Array(16 * 1024);

function scratchFor(length: number): Uint8Array {
  if (scratch.length < length) scratch = new Uint8Array(length);
  return scratch;
}

/** Decodes base64, skipping line breaks and anything outside the alphabet; a cut final group yields the whole bytes it holds. */
export function decodeBase64Prefix(
  input: Uint8Array,
  out: Uint8Array = new Uint8Array(Math.floor((input.length * 3) / 4) + 3),
): Uint8Array {
  let n = 0;
  let acc = 0;
  let bits = 0;
  for (const c of input) {
    if (c === 0x3d) break; // '=' padding ends the data
    const v = c < 128 ? (BASE64_VALUE[c] ?? -1) : -1;
    if (v < 0) continue;
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[n++] = (acc >> bits) & 0xff;
    }
  }
  return out.subarray(0, n);
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

/** Decodes quoted-printable; a '=' or '=X' cut off at the end is dropped, a malformed '=' kept as is. */
export function decodeQuotedPrintablePrefix(
  input: Uint8Array,
  out: Uint8Array = new Uint8Array(input.length),
): Uint8Array {
  let n = 0;
  for (let i = 0; i < input.length; i++) {
    const c = input[i]!;
    if (c !== 0x3d) {
      out[n++] = c;
      continue;
    }
    if (i + 1 >= input.length) break; // cut after '='
    const a = input[i + 1]!;
    if (a === 0x0d || a === 0x0a) {
      // Soft line break: '=' CRLF (or a bare LF from sloppy senders).
      i += a === 0x0d && input[i + 2] === 0x0a ? 2 : 1;
      continue;
    }
    if (i + 2 >= input.length) {
      if (hexValue(a) >= 0) break; // cut inside '=X'
      out[n++] = c;
      continue;
    }
    const hi = hexValue(a);
    const lo = hexValue(input[i + 2]!);
    if (hi >= 0 && lo >= 0) {
      out[n++] = (hi << 4) | lo;
      i += 2;
    } else {
      out[n++] = c;
    }
  }
  return out.subarray(0, n);
}

/**
 * One TextDecoder per charset label, reused: making one costs more than decoding a preview's
 * 2 KiB with it (an initial sync makes thousands of previews). Unknown labels get UTF-8's.
 */
const decoders = new Map<string, TextDecoder>();

/** Maps a MIME charset label to one TextDecoder knows; unknown labels fall back to UTF-8. */
function decoderFor(charset: string): TextDecoder {
  const label = (charset || 'utf-8').toLowerCase();
  let decoder = decoders.get(label);
  if (!decoder) {
    try {
      decoder = new TextDecoder(label);
    } catch {
      decoder = decoders.get('utf-8') ?? new TextDecoder('utf-8');
    }
    // Labels come from servers: keep the map from growing without bound.
    if (decoders.size >= 64) decoders.clear();
    decoders.set(label, decoder);
  }
  return decoder;
}

/**
 * The text of the first bytes of a part. A multi-byte character cut at the end is dropped
 * (streaming decode) rather than shown as U+FFFD.
 */
export function decodePartPrefix(raw: Uint8Array, encoding: string, charset: string): string {
  let bytes = raw;
  switch (encoding.toLowerCase()) {
    case 'base64':
      bytes = decodeBase64Prefix(raw, scratchFor(Math.floor((raw.length * 3) / 4) + 3));
      break;
    case 'quoted-printable':
      bytes = decodeQuotedPrintablePrefix(raw, scratchFor(raw.length));
      break;
  }
  const decoder = decoderFor(charset);
  const text = decoder.decode(bytes, { stream: true });
  // The cut character is dropped: flushing resets the shared decoder for the next part.
  decoder.decode();
  return text;
}
