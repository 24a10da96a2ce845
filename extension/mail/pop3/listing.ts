/**
 * Parsers of the small structured replies: scan listings (UIDL, LIST) and STAT (RFC 1939
 * §5, §7). Pure; each throws Pop3Error('protocol') on a line it cannot read, since a wrong
 * message number or uid would make the sync act on the wrong message.
 */
import { printable } from './bytes.ts';
import { Pop3Error } from './errors.ts';

/** One line of a UIDL listing: message number → unique-id. */
export interface UidlEntry {
  /** Message number in this session (1-based). */
  n: number;
  /** Unique-id, stable across sessions (RFC 1939 §7). */
  uid: string;
}

/** One line of a LIST listing: message number → size in octets. */
export interface ListEntry {
  n: number;
  /** Size in octets as the server counts it (CRLF line ends, before dot-stuffing). */
  size: number;
}

/** STAT's answer: messages not marked deleted, and their total size in octets. */
export interface MaildropStat {
  count: number;
  size: number;
}

const DIGITS = /^[0-9]+$/;
const SEPARATOR = /[ \t]+/;

function parseNumber(token: string | undefined): number | null {
  if (token === undefined || !DIGITS.test(token)) return null;
  const value = Number(token);
  return Number.isSafeInteger(value) ? value : null;
}

function malformed(what: string, line: string): Pop3Error {
  return new Pop3Error('protocol', `malformed ${what}: "${printable(line)}"`);
}

/**
 * A UIDL line, `1 whqtswO00WBw418f9t5JxYwZ`. RFC 1939 limits unique-ids to 70 characters in
 * 0x21–0x7E; we accept any run of non-blank characters, and ignore what follows it.
 */
export function parseUidlLine(line: string): UidlEntry {
  const [number, uid] = line.trim().split(SEPARATOR);
  const n = parseNumber(number);
  if (n === null || n === 0 || !uid) throw malformed('UIDL line', line);
  return { n, uid };
}

/** A LIST line, `1 120`; RFC 1939 §5 lets servers add more after the size, which we ignore. */
export function parseListLine(line: string): ListEntry {
  const [number, octets] = line.trim().split(SEPARATOR);
  const n = parseNumber(number);
  const size = parseNumber(octets);
  if (n === null || n === 0 || size === null) throw malformed('LIST line', line);
  return { n, size };
}

/** STAT's +OK text, `2 320`. */
export function parseStat(text: string): MaildropStat {
  const [number, octets] = text.trim().split(SEPARATOR);
  const count = parseNumber(number);
  const size = parseNumber(octets);
  if (count === null || size === null) throw malformed('STAT reply', text);
  return { count, size };
}
