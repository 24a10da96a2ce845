/**
 * `encoding-japanese` for the service-worker bundle: its one call there,
 * `convert(bytes, { to: 'UNICODE', from, type: 'string' })` (imapflow's JPDecoder, libmime's
 * charset decoding), on the platform's TextDecoder, which has ISO-2022-JP, EUC-JP and
 * Shift_JIS natively. The package's own tables are ~90 KB of the bundle.
 */

/** encoding-japanese's names (and MIME labels libmime passes as they are) → WHATWG labels. */
const NAMES: Record<string, string> = {
  JIS: 'iso-2022-jp',
  ISO2022JP: 'iso-2022-jp',
  EUCJP: 'euc-jp',
  SJIS: 'shift_jis',
  SHIFTJIS: 'shift_jis',
  UTF8: 'utf-8',
  UTF16: 'utf-16le',
  UTF16LE: 'utf-16le',
  UTF16BE: 'utf-16be',
  ASCII: 'utf-8',
};

function decoderFor(from: string): string | null {
  const mapped = NAMES[from.toUpperCase().replace(/[^A-Z0-9]+/g, '')];
  if (mapped) return mapped;
  try {
    return new TextDecoder(from).encoding;
  } catch {
    return null;
  }
}

/** What encoding-japanese's AUTO would pick for mail: ISO-2022-JP by its escapes, valid UTF-8, else EUC-JP or Shift_JIS. */
function detect(bytes: Uint8Array): string {
  if (bytes.includes(0x1b)) return 'iso-2022-jp';
  for (const label of ['utf-8', 'euc-jp']) {
    try {
      new TextDecoder(label, { fatal: true }).decode(bytes);
      return label;
    } catch {
      // not this one
    }
  }
  return 'shift_jis';
}

export interface ConvertOptions {
  to: string;
  from?: string;
  type?: string;
}

/** Decodes Japanese text to a string; throws for anything but `to: 'UNICODE', type: 'string'`. */
export function convert(data: Uint8Array | ArrayLike<number>, options: ConvertOptions): string {
  if (options.to.toUpperCase() !== 'UNICODE' || options.type !== 'string')
    throw new Error('encoding-japanese shim: only conversion to a Unicode string is available');
  const bytes = data instanceof Uint8Array ? data : Uint8Array.from(data);
  const from =
    !options.from || options.from.toUpperCase() === 'AUTO' ? detect(bytes) : decoderFor(options.from);
  if (!from) throw new Error(`encoding-japanese shim: unknown encoding ${options.from}`);
  return new TextDecoder(from).decode(bytes);
}

export default { convert };
