// The few MIME encoders the message generator needs, written out so generated mail is the same
// bytes on every machine: RFC 2047 encoded-words, RFC 2045 quoted-printable and base64, RFC 2231
// parameters, and header folding (RFC 5322 §2.2.3). Pure functions, ASCII out.

const CRLF = '\r\n';
/** RFC 2045 §6.7 (5) and §6.8: encoded lines are at most 76 characters. */
const MAX_ENCODED_LINE = 76;
/** RFC 2047 §2: an encoded-word is at most 75 characters. */
const MAX_ENCODED_WORD = 75;

const utf8 = (s: string): Buffer => Buffer.from(s, 'utf8');

/** True when the text needs no encoding in a header. */
export function isPrintableAscii(s: string): boolean {
  return /^[\x20-\x7e]*$/.test(s);
}

/** RFC 2047 "B" encoded-words, split on character boundaries so each word stays valid UTF-8. */
export function encodeWordsB(text: string): string[] {
  const words: string[] = [];
  const prefix = '=?UTF-8?B?';
  const room = Math.floor((MAX_ENCODED_WORD - prefix.length - 2) / 4) * 3;
  let chunk = '';
  for (const ch of text) {
    if (utf8(chunk + ch).length > room) {
      words.push(`${prefix}${utf8(chunk).toString('base64')}?=`);
      chunk = '';
    }
    chunk += ch;
  }
  if (chunk !== '') words.push(`${prefix}${utf8(chunk).toString('base64')}?=`);
  return words;
}

/** RFC 2047 "Q" encoded-words (§4.2: "_" for space, =XX for anything not plainly safe). */
export function encodeWordsQ(text: string): string[] {
  const words: string[] = [];
  const prefix = '=?UTF-8?Q?';
  let current = '';
  for (const ch of text) {
    let enc: string;
    if (ch === ' ') enc = '_';
    else if (/^[A-Za-z0-9!*+\-/]$/.test(ch)) enc = ch;
    else enc = [...utf8(ch)].map((b) => `=${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
    if (prefix.length + current.length + enc.length + 2 > MAX_ENCODED_WORD) {
      words.push(`${prefix}${current}?=`);
      current = '';
    }
    current += enc;
  }
  if (current !== '') words.push(`${prefix}${current}?=`);
  return words;
}

/** A header value for unstructured text: as is when ASCII, else encoded-words (B or Q). */
export function encodeHeaderText(text: string, mode: 'B' | 'Q' = 'B'): string {
  if (isPrintableAscii(text)) return text;
  return (mode === 'B' ? encodeWordsB(text) : encodeWordsQ(text)).join(' ');
}

/** A display name for From/To: quoted when it has specials, encoded when not ASCII. */
export function encodeDisplayName(name: string, mode: 'B' | 'Q' = 'B'): string {
  if (!isPrintableAscii(name)) return encodeHeaderText(name, mode);
  if (/^[A-Za-z0-9 !#$%&'*+\-/=?^_`{|}~]*$/.test(name)) return name;
  return `"${name.replace(/["\\]/g, '\\$&')}"`;
}

/** "Name: value" folded at spaces so no line passes 78 characters (RFC 5322 §2.1.1). */
export function foldHeader(name: string, value: string): string {
  const words = value.split(' ');
  const lines: string[] = [];
  let line = `${name}:`;
  for (const word of words) {
    if (line.length + 1 + word.length > 78 && line.length > name.length + 1) {
      lines.push(line);
      line = ` ${word}`;
    } else {
      line += ` ${word}`;
    }
  }
  lines.push(line);
  return lines.join(CRLF);
}

/** Base64 in 76-character lines, CRLF-separated. */
export function base64Lines(bytes: Uint8Array): string {
  const b64 = Buffer.from(bytes).toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += MAX_ENCODED_LINE) lines.push(b64.slice(i, i + MAX_ENCODED_LINE));
  return lines.join(CRLF);
}

/** Characters quoted-printable must escape: "=", controls but tab, and everything not ASCII
 * (a surrogate pair as one match, so a character's bytes are escaped together). */
const QP_ESCAPE = /[\ud800-\udbff][\udc00-\udfff]|[^\t\x20-\x3c\x3e-\x7e]/g;

function qpEscape(ch: string): string {
  let out = '';
  for (const b of utf8(ch)) out += `=${b < 16 ? '0' : ''}${b.toString(16).toUpperCase()}`;
  return out;
}

// Generated mail repeats the same corpus lines thousands of times; encoding each distinct line
// once keeps a 10,000-message mailbox quick to make. Bounded so it cannot grow without end.
const qpLineCache = new Map<string, string>();
const QP_LINE_CACHE_ENTRIES = 50_000;

function qpLine(source: string): string {
  const cached = qpLineCache.get(source);
  if (cached !== undefined) return cached;
  let line = source.replace(QP_ESCAPE, qpEscape);
  // Rule 3: a space or tab at the end of a line must be encoded.
  const last = line.charCodeAt(line.length - 1);
  if (last === 32 || last === 9) line = `${line.slice(0, -1)}=${last === 32 ? '20' : '09'}`;
  // Rule 5: soft line breaks ("=" at the end) keep lines at 76; an "=XX" is never split.
  const out: string[] = [];
  while (line.length > MAX_ENCODED_LINE) {
    let cut = MAX_ENCODED_LINE - 1;
    const eq = line.lastIndexOf('=', cut - 1);
    if (eq > cut - 3) cut = eq;
    out.push(`${line.slice(0, cut)}=`);
    line = line.slice(cut);
  }
  out.push(line);
  const encoded = out.join(CRLF);
  if (qpLineCache.size >= QP_LINE_CACHE_ENTRIES) qpLineCache.clear();
  qpLineCache.set(source, encoded);
  return encoded;
}

/** Quoted-printable (RFC 2045 §6.7) of UTF-8 text whose line breaks are CRLF or LF. */
export function quotedPrintable(text: string): string {
  return text.split(/\r?\n/).map(qpLine).join(CRLF);
}

/** RFC 2231 `name*=UTF-8''…` parameter, with a plain ASCII fallback parameter before it. */
export function rfc2231Param(param: string, value: string): string {
  if (isPrintableAscii(value)) return `${param}="${value.replace(/["\\]/g, '\\$&')}"`;
  const ascii = value.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  const pct = [...utf8(value)]
    .map((b) =>
      /[A-Za-z0-9.\-_~]/.test(String.fromCharCode(b))
        ? String.fromCharCode(b)
        : `%${b.toString(16).toUpperCase().padStart(2, '0')}`,
    )
    .join('');
  return `${param}="${ascii}";\r\n ${param}*=UTF-8''${pct}`;
}
