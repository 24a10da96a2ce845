/**
 * `iconv-lite` for the service-worker bundle, on the platform's TextDecoder (WHATWG Encoding:
 * every charset mail commonly uses, decoded by native code) plus the few encodings TextDecoder
 * lacks: modified UTF-7 (RFC 3501 §5.1.3, IMAP folder names), UTF-7 (RFC 2152), UTF-32, and a
 * BOM-sniffing UTF-16. The real iconv-lite brings ~480 KB of code tables for encodings the
 * browser already has, half the bundle (BENCHMARKS.md, "bundle").
 *
 * Only what imapflow and libmime call is here (checked in iconv-lite.test.ts against the real
 * package): `encode(str, 'utf-7-imap')`, `decode`, `getCodec` (libmime compares codecs by
 * identity, so one object per encoding), `getDecoder` (`write`/`end`), `encodingExists` and
 * `decodeStream` (a Transform emitting strings).
 *
 * Known differences from iconv-lite, all the browser's: ISO-8859-1 and US-ASCII decode as
 * windows-1252 (what senders almost always meant); an encoding the browser does not know
 * (e.g. CP437) is unknown here too, and libmime then falls back to UTF-8.
 */
import { Buffer } from 'node:buffer';
import { Transform, type TransformCallback } from 'node:stream';

/** A streaming decoder: `write` returns what is complete so far, `end` the rest. */
export interface Decoder {
  write(bytes: Uint8Array): string;
  end(): string | undefined;
}

/** One encoding. `decoder` is what libmime compares (iconv-lite's decoder class). */
export interface Codec {
  readonly name: string;
  readonly decoder: () => Decoder;
  readonly encode?: (text: string) => Uint8Array;
}

/** iconv-lite's canonical form of a name: lower case, alphanumerics only, no `:YYYY` suffix. */
function canonical(name: string): string {
  return `${name}`.toLowerCase().replace(/:\d{4}$|[^0-9a-z]/g, '');
}

// ---- TextDecoder-backed encodings ----------------------------------------------------------

/** The WHATWG name TextDecoder knows `label` by, or null. */
function whatwgName(label: string): string | null {
  try {
    return new TextDecoder(label).encoding;
  } catch {
    return null;
  }
}

/** Spellings iconv-lite accepts (it ignores punctuation) that are not WHATWG labels. */
const SPELLINGS: Array<[RegExp, string]> = [
  [/^windows(\d+)$/, 'windows-$1'],
  [/^win(\d+)$/, 'windows-$1'],
  [/^cp(125\d)$/, 'windows-$1'],
  [/^iso8859(\d+)$/, 'iso-8859-$1'],
  [/^latin(\d)$/, 'l$1'],
  [/^koi8([a-z])$/, 'koi8-$1'],
  [/^eucjp$/, 'euc-jp'],
  [/^euckr$/, 'euc-kr'],
  [/^shiftjis$/, 'shift_jis'],
  [/^iso2022jp$/, 'iso-2022-jp'],
  [/^big5hkscs$/, 'big5-hkscs'],
  [/^ksc56011987$/, 'ks_c_5601-1987'],
  [/^(?:cp|ibm)866$/, 'ibm866'],
  [/^utf16le$/, 'utf-16le'],
  [/^utf16be$/, 'utf-16be'],
];

function whatwgFor(name: string): string | null {
  const direct = whatwgName(name.trim());
  if (direct) return direct;
  const c = canonical(name);
  for (const [pattern, label] of SPELLINGS) if (pattern.test(c)) return whatwgName(c.replace(pattern, label));
  return whatwgName(c);
}

function textDecoder(encoding: string): Decoder {
  const decoder = new TextDecoder(encoding);
  return {
    write: (bytes) => decoder.decode(bytes, { stream: true }),
    end: () => decoder.decode() || undefined,
  };
}

// ---- Encodings TextDecoder lacks ---------------------------------------------------------------

const BASE64_CHARS = /[A-Za-z0-9+/]/;

/** UTF-16 big-endian bytes of a string, for UTF-7's base64 runs. */
function utf16be(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length * 2);
  for (let i = 0; i < text.length; i++) {
    bytes[i * 2] = text.charCodeAt(i) >> 8;
    bytes[i * 2 + 1] = text.charCodeAt(i) & 0xff;
  }
  return bytes;
}

const beDecoder = new TextDecoder('utf-16be');

/**
 * UTF-7 (RFC 2152) and IMAP's modified UTF-7 (RFC 3501 §5.1.3: `&` opens a run, `,` replaces
 * `/`, `&-` is `&`). Streaming: a base64 run may be cut anywhere between writes.
 */
function utf7Decoder(imap: boolean): Decoder {
  const open = imap ? 0x26 : 0x2b;
  let inBase64 = false;
  let run = '';
  let runStart = true;
  const flushRun = (final: boolean): string => {
    const b64 = imap ? run.replace(/,/g, '/') : run;
    const usable = final ? b64.length : b64.length - (b64.length % 8);
    run = run.slice(usable);
    return usable > 0 ? beDecoder.decode(Buffer.from(b64.slice(0, usable), 'base64')) : '';
  };
  return {
    write(bytes) {
      let out = '';
      for (const byte of bytes) {
        const ch = String.fromCharCode(byte);
        if (!inBase64) {
          if (byte === open) {
            inBase64 = true;
            runStart = true;
          } else out += ch;
          continue;
        }
        if (BASE64_CHARS.test(ch) || (imap && ch === ',')) {
          run += ch;
          runStart = false;
          continue;
        }
        // The run ends: "&-" / "+-" is the opening character itself; a '-' is absorbed.
        if (runStart && byte === 0x2d) out += String.fromCharCode(open);
        else out += flushRun(true);
        inBase64 = false;
        run = '';
        if (byte !== 0x2d) out += ch;
      }
      return inBase64 ? out + flushRun(false) : out;
    },
    end() {
      const rest = inBase64 ? flushRun(true) : '';
      inBase64 = false;
      run = '';
      return rest || undefined;
    },
  };
}

/** Modified UTF-7 of a folder name (RFC 3501 §5.1.3). */
function encodeUtf7Imap(text: string): Uint8Array {
  const encoded = text.replace(/&|[^\x20-\x7e]+/g, (chunk) =>
    chunk === '&'
      ? '&-'
      : `&${Buffer.from(utf16be(chunk)).toString('base64').replace(/=+$/, '').replace(/\//g, ',')}-`,
  );
  return Buffer.from(encoded, 'latin1');
}

/**
 * UTF-32, little- or big-endian. `null` (plain "UTF-32") reads the byte order from a BOM, else
 * from the first character (mail text starts with ASCII: `41 00 00 00` or `00 00 00 41`).
 */
function utf32Decoder(littleEndian: boolean | null): Decoder {
  let le = littleEndian ?? true;
  let atStart = true;
  let pending: number[] = [];
  return {
    write(bytes) {
      let out = '';
      for (const byte of bytes) {
        pending.push(byte);
        if (pending.length < 4) continue;
        const [a, b, c, d] = pending as [number, number, number, number];
        pending = [];
        if (atStart) {
          atStart = false;
          if (littleEndian === null) le = !(a === 0 && b === 0 && (c !== 0 || d !== 0));
          // A byte order mark is not text.
          if (
            le
              ? a === 0xff && b === 0xfe && c === 0 && d === 0
              : a === 0 && b === 0 && c === 0xfe && d === 0xff
          )
            continue;
        }
        const cp = le
          ? (a | (b << 8) | (c << 16) | (d << 24)) >>> 0
          : ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
        out += cp <= 0x10ffff && (cp < 0xd800 || cp > 0xdfff) ? String.fromCodePoint(cp) : '\ufffd';
      }
      return out;
    },
    end() {
      const rest = pending.length > 0 ? '\ufffd' : '';
      pending = [];
      return rest || undefined;
    },
  };
}

/** UTF-16 without a byte order in the name: a BOM decides, else a guess from the first 100 characters, as iconv-lite does. */
function utf16Decoder(): Decoder {
  let inner: Decoder | null = null;
  let head: number[] = [];
  const choose = (): Decoder => {
    let le = 0;
    let be = 0;
    if (head[0] === 0xfe && head[1] === 0xff) return textDecoder('utf-16be');
    if (head[0] === 0xff && head[1] === 0xfe) return textDecoder('utf-16le');
    for (let i = 0; i + 1 < Math.min(head.length, 200); i += 2) {
      if (head[i] === 0 && head[i + 1] !== 0) be++;
      if (head[i] !== 0 && head[i + 1] === 0) le++;
    }
    return textDecoder(be > le ? 'utf-16be' : 'utf-16le');
  };
  return {
    write(bytes) {
      if (inner) return inner.write(bytes);
      head.push(...bytes);
      if (head.length < 16) return '';
      inner = choose();
      const out = inner.write(Uint8Array.from(head));
      head = [];
      return out;
    },
    end() {
      if (!inner) {
        inner = choose();
        const out = inner.write(Uint8Array.from(head)) + (inner.end() ?? '');
        head = [];
        return out || undefined;
      }
      return inner.end();
    },
  };
}

/** A decoder that turns bytes into text in a binary-to-text encoding (iconv-lite's `base64`, `hex`). */
function binaryToText(encoding: 'base64' | 'hex'): Decoder {
  return { write: (bytes) => Buffer.from(bytes).toString(encoding), end: () => undefined };
}

// ---- Registry --------------------------------------------------------------------------------

/** Encodings with no TextDecoder label (or a different meaning of it), by canonical name. */
const SPECIAL: Record<string, () => Codec> = {
  utf7: () => ({ name: 'utf7', decoder: () => utf7Decoder(false) }),
  utf7imap: () => ({ name: 'utf7imap', decoder: () => utf7Decoder(true), encode: encodeUtf7Imap }),
  utf16: () => ({ name: 'utf16', decoder: utf16Decoder }),
  utf32: () => ({ name: 'utf32', decoder: () => utf32Decoder(null) }),
  utf32le: () => ({ name: 'utf32le', decoder: () => utf32Decoder(true) }),
  utf32be: () => ({ name: 'utf32be', decoder: () => utf32Decoder(false) }),
  base64: () => ({ name: 'base64', decoder: () => binaryToText('base64') }),
  hex: () => ({ name: 'hex', decoder: () => binaryToText('hex') }),
};
/** Other names iconv-lite gives them. */
const ALIASES: Record<string, string> = {
  unicode11utf7: 'utf7',
  ucs4: 'utf32',
  ucs4le: 'utf32le',
  ucs4be: 'utf32be',
};

const codecs = new Map<string, Codec>();

function codecKey(name: string): string | null {
  const c = canonical(name);
  const special = ALIASES[c] ?? c;
  if (special in SPECIAL) return special;
  return whatwgFor(name);
}

/** The codec of `name`; throws as iconv-lite does for a name it does not know. */
export function getCodec(name: string): Codec {
  const key = codecKey(name);
  if (key === null) throw new Error(`Encoding not recognized: '${name}' (searched as: '${canonical(name)}')`);
  let codec = codecs.get(key);
  if (!codec) {
    const make = SPECIAL[key];
    if (make) codec = make();
    else {
      const decoder = () => textDecoder(key);
      codec = {
        name: key,
        decoder,
        ...(key === 'utf-8' ? { encode: (t: string) => Buffer.from(t, 'utf8') } : {}),
      };
    }
    codecs.set(key, codec);
  }
  return codec;
}

export function encodingExists(name: string): boolean {
  return codecKey(name) !== null;
}

export function getDecoder(name: string): Decoder {
  return getCodec(name).decoder();
}

export function decode(bytes: Uint8Array | string, name: string): string {
  const input = typeof bytes === 'string' ? Buffer.from(bytes, 'binary') : bytes;
  const decoder = getDecoder(name);
  return decoder.write(input) + (decoder.end() ?? '');
}

/** Encodes `text`: only UTF-8 and modified UTF-7 are needed (imapflow's folder names). */
export function encode(text: string, name: string): Buffer {
  const codec = getCodec(name);
  if (!codec.encode) throw new Error(`Encoding to ${name} is not available in the extension`);
  const bytes = codec.encode(`${text}`);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** A Transform decoding bytes in `name` to strings (UTF-8 encoded chunks), like iconv-lite's. */
export function decodeStream(name: string): Transform {
  const decoder = getDecoder(name);
  return new Transform({
    decodeStrings: false,
    encoding: 'utf8',
    transform(chunk: Uint8Array, _encoding: BufferEncoding, done: TransformCallback) {
      try {
        const text = decoder.write(chunk);
        if (text) this.push(text, 'utf8');
        done();
      } catch (error) {
        done(error as Error);
      }
    },
    flush(done: TransformCallback) {
      try {
        const text = decoder.end();
        if (text) this.push(text, 'utf8');
        done();
      } catch (error) {
        done(error as Error);
      }
    },
  });
}

export default { getCodec, encodingExists, getDecoder, decode, encode, decodeStream };
