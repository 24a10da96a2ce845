/**
 * Extended response codes (RFC 2449 §8): `-ERR [IN-USE] maildrop locked`. The codes we act on
 * are the ones RFC 2449, RFC 3206 and RFC 6856 define; any other is ignored, as §8 requires.
 */

/** Every response code the client recognises. */
export const RESP_CODES = ['AUTH', 'IN-USE', 'LOGIN-DELAY', 'SYS/TEMP', 'SYS/PERM', 'UTF8'] as const;

/**
 * A recognised response code: `AUTH` (RFC 3206: the credentials are wrong), `IN-USE` (RFC 2449:
 * the maildrop is locked), `LOGIN-DELAY` (RFC 2449: logged in too soon), `SYS/TEMP` and
 * `SYS/PERM` (RFC 3206: a temporary or lasting server problem), `UTF8` (RFC 6856: the command
 * needs UTF8 mode).
 */
export type RespCode = (typeof RESP_CODES)[number];

const KNOWN: ReadonlySet<string> = new Set(RESP_CODES);

function isRespCode(name: string): name is RespCode {
  return KNOWN.has(name);
}

// RFC 2449 §9: resp-code = "[" resp-level *("/" resp-level) "]", resp-level = 1*rchar,
// rchar = %x21-2E / %x30-5C / %x5E-7F (any visible character but "/" and "]").
const RESP_CODE = /^\[([\x21-\x2e\x30-\x5c\x5e-\x7e]+(?:\/[\x21-\x2e\x30-\x5c\x5e-\x7e]+)*)\][ \t]*/;

/**
 * Splits a leading response code off a reply's text. Codes are case-insensitive and
 * hierarchical; RFC 2449 §8 says to ignore unknown detail, so `SYS/TEMP/DISK` is `SYS/TEMP`.
 * An unrecognised code is removed from the text and not reported.
 */
export function splitRespCode(text: string): { code?: RespCode; text: string } {
  const match = RESP_CODE.exec(text);
  if (!match) return { text };
  const rest = text.slice(match[0].length);
  const levels = match[1]!.toUpperCase().split('/');
  for (let n = levels.length; n > 0; n--) {
    const candidate = levels.slice(0, n).join('/');
    if (isRespCode(candidate)) return { code: candidate, text: rest };
  }
  return { text: rest };
}
