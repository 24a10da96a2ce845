/**
 * The POP3 reply parser: a pure state machine fed the server's bytes in whatever chunks they
 * arrive (STYLE.md convention 2, after ws's receiver). It knows nothing of sockets or timers.
 * The session tells it, in order, what kind of reply each sent command gets (`expect()`),
 * and it hands back each reply once complete (RFC 1939 §3, RFC 2449, RFC 5034 §4).
 *
 * Line ends are CRLF on the wire; a bare LF is accepted too, since some servers (and
 * proxies) send one. Multi-line replies end with a line holding a single ".", and lines of
 * data that begin with "." arrive with a second "." prepended (dot-stuffing), removed here.
 *
 * Message bodies (RETR, TOP) can be tens of megabytes: they are scanned for line starts with
 * `indexOf` and copied, between dot-stuffed positions, into one buffer that doubles when full,
 * so the cost is linear in the size however the bytes are split. Sized from the LIST size when
 * the session knows it, that buffer is usually the message itself: one allocation and one copy
 * per message, where a slice per chunk and a join were two or more (in the service worker,
 * writing fresh memory costs far more than its size suggests: the scan, the slices and the join
 * were 9 % of the worker's busy time in a POP3 download).
 */
import { concatBytes } from '../../bytes.ts';
import { CR, DOT, decodeLatin1, decodeUtf8, LF, printable } from './bytes.ts';
import { Pop3Error } from './errors.ts';
import { type ListEntry, parseListLine, parseUidlLine, type UidlEntry } from './listing.ts';
import { type RespCode, splitRespCode } from './resp-codes.ts';

/**
 * Longest first line of a reply, line end included. RFC 2449 §4 caps responses at 512
 * octets, but real greetings and -ERR texts run longer; 8 KiB is generous and still bounds
 * what a peer that never sends a line end can make us buffer.
 */
export const MAX_STATUS_LINE_BYTES = 8 * 1024;

/**
 * Longest line of a CAPA, UIDL or LIST listing, line end included. UIDL lines are a number
 * and a unique-id of at most 70 octets (RFC 1939 §7), CAPA lines a tag and a few arguments:
 * the same bound as status lines leaves ample room.
 */
export const MAX_LISTING_LINE_BYTES = 8 * 1024;

/**
 * Largest CAPA/UIDL/LIST listing in total. A maildrop of 800,000 messages with 70-octet
 * unique-ids fits; a server that streams lines forever is cut off here instead of filling
 * the service worker's memory.
 */
export const MAX_LISTING_BYTES = 64 * 1024 * 1024;

/**
 * Most lines in one CAPA/UIDL/LIST listing. The byte cap alone does not bound memory: each
 * line becomes an entry holding ~40-60 bytes beyond its text, so 13 M lines of `1 a` (just
 * under 64 MiB) took 633 MiB of heap. A million messages is more than a real maildrop holds
 * (with real unique-ids MAX_LISTING_BYTES stops near 800,000 anyway), and its entries stay
 * under ~60 MiB.
 */
export const MAX_LISTING_ENTRIES = 1_000_000;

// Lines of message data have no limit of their own: they are never held one by one (the body
// is only scanned for line starts), and real mail breaks RFC 5322's 998 often enough. The
// size cap of each RETR/TOP (`maxBytes`) bounds the memory instead.

/** The parser's limits; the defaults are the constants above. */
export interface ParserLimits {
  maxStatusLineBytes: number;
  maxListingLineBytes: number;
  maxListingBytes: number;
  maxListingEntries: number;
}

/** What kind of reply the next command gets. */
export type Expectation =
  /** A single line: +OK or -ERR (every command but those below; also UIDL n and LIST n). */
  | { kind: 'status' }
  /** A single line, or a SASL continuation `+ <base64>` (AUTH and the lines sent after it). */
  | { kind: 'auth' }
  /** +OK then capability lines (CAPA). */
  | { kind: 'capa' }
  /** +OK then `n uid` lines (UIDL without argument). */
  | { kind: 'uidl' }
  /** +OK then `n size` lines (LIST without argument). */
  | { kind: 'list' }
  /**
   * +OK then message data (RETR, TOP); more than `maxBytes` of data is a too_large error.
   * `expectedBytes` (the LIST size, for RETR) sizes the buffer the data is collected in; any
   * length is still read correctly.
   */
  | { kind: 'message'; maxBytes: number; expectedBytes?: number };

/** The body of a successful multi-line reply, parsed. */
export type ReplyBody =
  | { kind: 'capa'; lines: string[] }
  | { kind: 'uidl'; entries: UidlEntry[] }
  | { kind: 'list'; entries: ListEntry[] }
  /** The message as sent, dot-unstuffed, line ends as the server sent them (CRLF). */
  | { kind: 'message'; bytes: Uint8Array };

/** One complete reply. */
export interface Reply {
  /** +OK (or a SASL continuation) → true; -ERR → false. */
  ok: boolean;
  /** Set when the server sent a SASL continuation `+ ` instead of +OK/-ERR. */
  continuation?: true;
  /** The text after the status indicator and response code; for a continuation, the challenge. */
  text: string;
  /** The RFC 2449 response code, if the reply had a recognised one. */
  code?: RespCode;
  /** Present for a +OK to a multi-line command (never for -ERR, which is a single line). */
  body?: ReplyBody;
}

// States of the message-data scanner.
/** At the first byte of a line. */
const LINE_START = 0;
/** Inside a line: looking for its LF. */
const IN_LINE = 1;
/** After a "." at a line start: stuffing, the terminator, or (bug) a bare dot. */
const AFTER_DOT = 2;
/** After ".\r" at a line start: the terminator if LF follows. */
const AFTER_DOT_CR = 3;

const DOT_BYTES = new Uint8Array([DOT]);
const DOT_CR_BYTES = new Uint8Array([DOT, CR]);
const NO_DATA = new Uint8Array(0);

/**
 * First size of the buffer message data is collected in, when the size is not known in
 * advance (TOP, RETR without LIST): a header block or a small message fits.
 */
const INITIAL_DATA_BYTES = 16 * 1024;

const STATUS = /^(\+OK|-ERR)(?:[ \t](.*))?$/is;
const CONTINUATION = /^\+(?: (.*))?$/s;

function protocolError(message: string): Pop3Error {
  return new Pop3Error('protocol', message);
}

/**
 * Parses POP3 replies from a byte stream. Call `expect()` for each command before its bytes
 * can arrive (before writing it), then `push()` every chunk received; complete replies go to
 * `onReply` in order. On bytes that are not POP3, `push()` throws Pop3Error('protocol') (or
 * 'too_large' when a message outgrows its cap) after delivering the replies before them, and
 * every later `push()` throws the same error: the stream cannot be resynchronised.
 */
export class ReplyParser {
  private readonly limits: ParserLimits;
  private readonly expected: Expectation[] = [];
  private failure: Pop3Error | null = null;

  /** What is being read: the first line of a reply, listing lines, or message data. */
  private mode: 'status' | 'listing' | 'data' = 'status';
  /** The status line of the multi-line reply being read. */
  private head: Reply | null = null;

  // A line split across chunks.
  private lineParts: Uint8Array[] = [];
  private lineLength = 0;
  /** Where the chunk continues after the line takeLine() returned. */
  private lineNext = 0;

  // A listing being read.
  private capaLines: string[] = [];
  private uidlEntries: UidlEntry[] = [];
  private listEntries: ListEntry[] = [];
  private listingBytes = 0;
  private listingEntries = 0;

  // Message data being read: `data` holds `dataBytes` of it, and is this parser's own.
  private dataState = LINE_START;
  private data = NO_DATA;
  private dataBytes = 0;
  private maxDataBytes = 0;

  constructor(
    private readonly onReply: (reply: Reply) => void,
    limits: Partial<ParserLimits> = {},
  ) {
    this.limits = {
      maxStatusLineBytes: limits.maxStatusLineBytes ?? MAX_STATUS_LINE_BYTES,
      maxListingLineBytes: limits.maxListingLineBytes ?? MAX_LISTING_LINE_BYTES,
      maxListingBytes: limits.maxListingBytes ?? MAX_LISTING_BYTES,
      maxListingEntries: limits.maxListingEntries ?? MAX_LISTING_ENTRIES,
    };
  }

  /** Queues the kind of the next reply; replies are matched to expectations in order. */
  expect(expectation: Expectation): void {
    if (expectation.kind === 'message' && !(expectation.maxBytes >= 0)) {
      throw new RangeError('maxBytes must be a non-negative number');
    }
    this.expected.push(expectation);
  }

  /** Replies expected and not yet complete. */
  get pending(): number {
    return this.expected.length;
  }

  /** Bytes of message data received so far for the RETR/TOP reply being read. */
  get progress(): number {
    return this.mode === 'data' ? this.dataBytes : 0;
  }

  /** Feeds bytes from the server. The parser keeps copies, so the caller may reuse `chunk`. */
  push(chunk: Uint8Array): void {
    if (this.failure) throw this.failure;
    try {
      let at = 0;
      while (at < chunk.length) {
        if (this.mode === 'status') at = this.readStatus(chunk, at);
        else if (this.mode === 'listing') at = this.readListing(chunk, at);
        else at = this.readData(chunk, at);
      }
    } catch (err) {
      this.failure = err instanceof Pop3Error ? err : protocolError(String(err));
      // Drop what was buffered: nothing more will be parsed.
      this.lineParts = [];
      this.data = NO_DATA;
      this.capaLines = [];
      this.uidlEntries = [];
      this.listEntries = [];
      throw this.failure;
    }
  }

  /**
   * Takes the next complete line from `chunk` at `from`, joined with what earlier chunks left,
   * without its line end, and sets `lineNext`. Returns null when the chunk ends first (the rest
   * is kept).
   */
  private takeLine(chunk: Uint8Array, from: number, limit: number, what: string): Uint8Array | null {
    const lf = chunk.indexOf(LF, from);
    if (lf === -1) {
      const rest = chunk.length - from;
      // Without its line end yet, a line already at the limit can only end up over it.
      if (this.lineLength + rest >= limit) throw protocolError(`${what} longer than ${limit} bytes`);
      this.lineParts.push(chunk.slice(from));
      this.lineLength += rest;
      return null;
    }
    if (this.lineLength + (lf + 1 - from) > limit) throw protocolError(`${what} longer than ${limit} bytes`);
    this.lineNext = lf + 1;
    let line: Uint8Array;
    if (this.lineParts.length === 0) {
      line = chunk.subarray(from, lf);
    } else {
      this.lineParts.push(chunk.subarray(from, lf));
      line = concatBytes(this.lineParts, this.lineLength + (lf - from));
      this.lineParts = [];
      this.lineLength = 0;
    }
    return line.length > 0 && line[line.length - 1] === CR ? line.subarray(0, line.length - 1) : line;
  }

  private readStatus(chunk: Uint8Array, from: number): number {
    const expectation = this.expected[0];
    if (!expectation) {
      throw protocolError(
        `unexpected data from the server: "${printable(decodeUtf8(chunk.subarray(from)))}"`,
      );
    }
    const line = this.takeLine(chunk, from, this.limits.maxStatusLineBytes, 'reply line');
    if (line === null) return chunk.length;
    const next = this.lineNext;
    const reply = parseStatusLine(decodeUtf8(line), expectation.kind === 'auth');
    if (!reply.ok || reply.continuation) {
      this.complete(reply);
      return next;
    }
    switch (expectation.kind) {
      case 'status':
      case 'auth':
        this.complete(reply);
        return next;
      case 'message': {
        this.head = reply;
        this.mode = 'data';
        this.dataState = LINE_START;
        this.maxDataBytes = expectation.maxBytes;
        // A size a server announced must not make us allocate more than the cap allows.
        const expected = expectation.expectedBytes ?? INITIAL_DATA_BYTES;
        this.data = new Uint8Array(Math.max(0, Math.min(expected, expectation.maxBytes)));
        this.dataBytes = 0;
        return next;
      }
      default:
        this.head = reply;
        this.mode = 'listing';
        return next;
    }
  }

  private readListing(chunk: Uint8Array, from: number): number {
    const kind = this.expected[0]!.kind;
    let at = from;
    while (at < chunk.length) {
      const raw = this.takeLine(chunk, at, this.limits.maxListingLineBytes, 'listing line');
      if (raw === null) return chunk.length;
      at = this.lineNext;
      if (raw.length === 1 && raw[0] === DOT) {
        this.completeListing(kind);
        return at;
      }
      const line = raw[0] === DOT ? raw.subarray(1) : raw;
      this.listingBytes += raw.length + 2;
      if (this.listingBytes > this.limits.maxListingBytes) {
        throw protocolError(`listing longer than ${this.limits.maxListingBytes} bytes`);
      }
      if (++this.listingEntries > this.limits.maxListingEntries) {
        throw protocolError(
          `listing of more than ${this.limits.maxListingEntries} lines, more than a real maildrop holds`,
        );
      }
      if (kind === 'capa') this.capaLines.push(decodeUtf8(line));
      // Latin-1 keeps every byte of a unique-id, so it compares equal in every session.
      else if (kind === 'uidl') this.uidlEntries.push(parseUidlLine(decodeLatin1(line)));
      else this.listEntries.push(parseListLine(decodeLatin1(line)));
    }
    return at;
  }

  private completeListing(kind: Expectation['kind']): void {
    const head = this.head!;
    let body: ReplyBody;
    if (kind === 'capa') body = { kind, lines: this.capaLines };
    else if (kind === 'uidl') body = { kind, entries: this.uidlEntries };
    else body = { kind: 'list', entries: this.listEntries };
    this.capaLines = [];
    this.uidlEntries = [];
    this.listEntries = [];
    this.listingBytes = 0;
    this.listingEntries = 0;
    this.complete({ ...head, body });
  }

  /** Collects message data up to the terminating "." line; returns where it stopped. */
  private readData(chunk: Uint8Array, from: number): number {
    const end = chunk.length;
    let segmentStart = from;
    let at = from;
    while (at < end) {
      switch (this.dataState) {
        case IN_LINE: {
          // Whole lines at a time: only a line that starts with "." needs a closer look.
          let lf = chunk.indexOf(LF, at);
          while (lf !== -1 && lf + 1 < end && chunk[lf + 1] !== DOT) lf = chunk.indexOf(LF, lf + 1);
          if (lf === -1) {
            at = end;
          } else {
            at = lf + 1;
            this.dataState = LINE_START;
          }
          break;
        }
        case LINE_START:
          if (chunk[at] === DOT) {
            this.addSegment(chunk, segmentStart, at);
            at++;
            segmentStart = at;
            this.dataState = AFTER_DOT;
          } else {
            this.dataState = IN_LINE;
          }
          break;
        case AFTER_DOT: {
          const byte = chunk[at];
          if (byte === LF) {
            this.completeMessage();
            return at + 1;
          }
          if (byte === CR) {
            at++;
            segmentStart = at;
            this.dataState = AFTER_DOT_CR;
          } else {
            // ".." is a stuffed "." (kept from here: the segment starts at the second dot).
            // Anything else after a lone "." breaks RFC 1939 §3; keep the dot as data.
            if (byte !== DOT) this.addSegment(DOT_BYTES, 0, 1);
            this.dataState = IN_LINE;
          }
          break;
        }
        case AFTER_DOT_CR:
          if (chunk[at] === LF) {
            this.completeMessage();
            return at + 1;
          }
          // ".\r" then something else: not a terminator, so it was data.
          this.addSegment(DOT_CR_BYTES, 0, 2);
          this.dataState = IN_LINE;
          break;
      }
    }
    this.addSegment(chunk, segmentStart, end);
    return end;
  }

  /** Copies `source[start, end)` to the message data, growing its buffer when needed. */
  private addSegment(source: Uint8Array, start: number, end: number): void {
    const length = end - start;
    if (length <= 0) return;
    const total = this.dataBytes + length;
    if (total > this.maxDataBytes) {
      throw new Pop3Error('too_large', `message data exceeds the ${this.maxDataBytes}-byte limit`);
    }
    if (total > this.data.length) {
      const grown = new Uint8Array(Math.min(this.maxDataBytes, Math.max(total, 2 * this.data.length)));
      grown.set(this.data.subarray(0, this.dataBytes));
      this.data = grown;
    }
    this.data.set(source.subarray(start, end), this.dataBytes);
    this.dataBytes = total;
  }

  private completeMessage(): void {
    // The message is handed on as a buffer of its own (stored as is, a larger buffer would be
    // stored whole), so a buffer sized for more than arrived is cut to size with one copy.
    const bytes = this.dataBytes === this.data.length ? this.data : this.data.slice(0, this.dataBytes);
    this.data = NO_DATA;
    this.dataBytes = 0;
    this.complete({ ...this.head!, body: { kind: 'message', bytes } });
  }

  private complete(reply: Reply): void {
    this.expected.shift();
    this.head = null;
    this.mode = 'status';
    this.onReply(reply);
  }
}

/** Reads a reply's first line: +OK, -ERR, or (`allowContinuation`) a SASL `+ ` line. */
export function parseStatusLine(line: string, allowContinuation: boolean): Reply {
  const status = STATUS.exec(line);
  if (status) {
    const { code, text } = splitRespCode((status[2] ?? '').trim());
    return { ok: status[1]!.toUpperCase() === '+OK', text, ...(code ? { code } : {}) };
  }
  if (allowContinuation) {
    const continuation = CONTINUATION.exec(line);
    if (continuation) return { ok: true, continuation: true, text: (continuation[1] ?? '').trim() };
  }
  throw protocolError(`not a POP3 reply: "${printable(line)}"`);
}
