/**
 * Parsing raw RFC 5322 messages in the service worker: a thin, typed wrapper over postal-mime
 * (no DOM, no Node APIs). The HTML body is returned exactly as sent; it is sanitised in the page
 * that shows it (extension/ui/sanitize.ts), never here.
 */

import type { Address, Attachment, Email, PostalMimeOptions } from 'postal-mime';
import PostalMime from 'postal-mime';
import { DIGEST_ONLY } from '../../node-shims/postal-mime-digest.ts';
import { MimeError } from './errors.ts';
import { htmlToTextSliced } from './html-to-text.ts';
import { postalHtmlToText } from './postal-html-to-text.ts';
import { TimeSlice, UNITS_PER_CHECK } from './time-slice.ts';
import type { MailAddress, MessageAttachment, MessageHeaders, ParsedMessage } from './types.ts';

/**
 * Largest raw message parsed. Mainstream providers refuse messages much above 25–35 MB, so a
 * bigger one is unusual; parsing holds the raw bytes, the decoded parts and the body strings at
 * once (about three times the input), which keeps the worker's peak near 120 MB at this size.
 */
export const MAX_MESSAGE_BYTES = 40 * 1024 * 1024;

/**
 * Largest header block parseHeaders reads. The same as postal-mime's own total header budget
 * (2 MiB): a header block that large is already an attack or a broken server.
 */
export const MAX_HEADER_BYTES = 2 * 1024 * 1024;

/**
 * Deepest message/rfc822 part read inline (postal-mime's maxRfc822NestingDepth, default 10);
 * a deeper one is kept as a message attachment to open. postal-mime parses every nested
 * message again with a parser of its own, so the work is up to (depth + 1) times the message:
 * a 4.5 MiB message nested ten deep took 5.4 s of the worker's CPU. Two levels still read a
 * forwarded message inline, and a bounce that quotes one; the parse is at most three passes.
 */
export const MAX_NESTED_MESSAGE_DEPTH = 2;

/** Options of parseMessage. */
export interface ParseOptions {
  /** Refuse messages larger than this many bytes with `too_large`; default MAX_MESSAGE_BYTES. */
  maxBytes?: number;
  /**
   * For a digest (summarize.ts) only: parts that are neither text nor a message are not decoded,
   * so their `content` is empty and their `size` 0; everything else is as parsed in full. In the
   * extension's bundles only (scripts/postal-mime-patch.ts); elsewhere everything is decoded.
   */
  digestOnly?: boolean;
  /**
   * The job's time slices (time-slice.ts): the parse gives the event loop a turn whenever the
   * slice's budget is spent. Default: a new TimeSlice of SLICE_MS. Pass the same one to the
   * steps that follow (summarize) so the whole job shares one budget.
   */
  slice?: TimeSlice;
}

/**
 * What SlicedParser uses of postal-mime's parser beyond its typed surface (postal-mime 4.0,
 * dist/esm/postal-mime.js): the methods it wraps and the state collectSubMessage works on.
 * parse-slices.test.ts checks that these exist and that the output is postal-mime's own.
 */
interface ParserInternals {
  mimeOptions: Record<string, number>;
  maxRfc822NestingDepth: number;
  rfc822NestingDepth: number;
  root: unknown;
  /** The text parts and nested messages of each node that selects them, by type. */
  textMap: Map<unknown, Partial<Record<'plain' | 'html', TextEntry[]>>>;
  textTypes: Set<'plain' | 'html'>;
  attachments: Attachment[];
  addTextEntry(
    selector: unknown,
    textType: 'plain' | 'html',
    item: { type: 'subMessage'; value: Email },
  ): void;
  processLine(line: Uint8Array, isFinal: boolean): Promise<void>;
  collectNode(node: unknown, alternative: unknown, related: boolean): Promise<void>;
  collectSubMessage(node: { content?: ArrayBuffer | null; subMessage?: Email }): Promise<void>;
}

/** One entry of postal-mime's textMap: a text part's decoded text, or a nested message. */
type TextEntry = { type: 'text'; value: string } | { type: 'subMessage'; value: Email };

/** postal-mime's own parser methods, which SlicedParser calls between its pauses. */
export const POSTAL_MIME_INTERNALS = PostalMime.prototype as unknown as ParserInternals;

/**
 * postal-mime's parser, giving the event loop a turn when the job's slice is spent: before a
 * line of the message (every parser's main loop awaits processLine for each line), and before
 * each part is collected into the body. A message/rfc822 part read inline is parsed by another
 * SlicedParser on the same slice (postal-mime's collectSubMessage, with this class for its own).
 * The output is postal-mime's: only when the work runs changes.
 */
class SlicedParser extends PostalMime {
  readonly #slice: TimeSlice;

  constructor(options: PostalMimeOptions, slice: TimeSlice) {
    super(options);
    this.#slice = slice;
  }

  processLine(line: Uint8Array, isFinal: boolean): Promise<void> {
    // A line costs a unit and one per 64 bytes: a long one (a base64 part on a single line) is
    // as much work as many short ones.
    const pause = this.#slice.pause(1 + (line.length >> 6));
    if (!pause) return POSTAL_MIME_INTERNALS.processLine.call(this, line, isFinal);
    return pause.then(() => POSTAL_MIME_INTERNALS.processLine.call(this, line, isFinal));
  }

  async collectNode(node: unknown, alternative: unknown, related: boolean): Promise<void> {
    const pause = this.#slice.pause();
    if (pause) await pause;
    await POSTAL_MIME_INTERNALS.collectNode.call(this, node, alternative, related);
    if (node === (this as unknown as ParserInternals).root) await this.#renderHtmlAsText();
  }

  /**
   * What postal-mime's renderTextContent, which runs next in one synchronous call, would
   * render from HTML into the plain-text body (an HTML-only part beside plain-text ones, as in
   * a forwarded HTML message): rendered here first, in slices, and given to the node as its
   * plain-text entries. renderTextContent then uses those as they are (a node's own entries of
   * a type are not converted), and a nested message's entry renders as its header block either
   * way: the body is the same.
   */
  async #renderHtmlAsText(): Promise<void> {
    const self = this as unknown as ParserInternals;
    if (!self.textTypes.has('plain')) return;
    for (const entry of self.textMap.values()) {
      if (entry.plain || !entry.html) continue;
      const plain: TextEntry[] = [];
      for (const item of entry.html) {
        plain.push(
          item.type === 'text'
            ? { type: 'text', value: await postalHtmlToText(item.value, this.#slice) }
            : item,
        );
      }
      entry.plain = plain;
    }
  }

  /** postal-mime 4.0's collectSubMessage, line for line, but with a SlicedParser for the nested message. */
  async collectSubMessage(node: { content?: ArrayBuffer | null; subMessage?: Email }): Promise<void> {
    const self = this as unknown as ParserInternals;
    const subParser = new SlicedParser(
      {
        ...self.mimeOptions,
        maxRfc822NestingDepth: self.maxRfc822NestingDepth,
        attachmentEncoding: 'arraybuffer',
      },
      this.#slice,
    );
    const sub = subParser as unknown as ParserInternals;
    sub.rfc822NestingDepth = self.rfc822NestingDepth + 1;
    const subMessage = await subParser.parse(node.content || new ArrayBuffer(0));
    node.subMessage = subMessage;
    if (subMessage.text || !subMessage.html) {
      self.addTextEntry(node, 'plain', { type: 'subMessage', value: subMessage });
    }
    if (subMessage.html) self.addTextEntry(node, 'html', { type: 'subMessage', value: subMessage });
    sub.textMap.forEach((subTextEntry, subTextNode) => {
      self.textMap.set(subTextNode, subTextEntry);
    });
    for (const attachment of subMessage.attachments) self.attachments.push(attachment);
  }
}

/** Parses a whole raw message. A structure postal-mime cannot read still yields a readable best effort. */
export async function parseMessage(raw: Uint8Array, options: ParseOptions = {}): Promise<ParsedMessage> {
  if (!(raw instanceof Uint8Array)) throw new MimeError('invalid_input', 'parseMessage needs a Uint8Array');
  const maxBytes = limitOption(options.maxBytes, MAX_MESSAGE_BYTES, 'maxBytes');
  if (raw.byteLength > maxBytes) {
    throw new MimeError('too_large', `message is ${raw.byteLength} bytes, the limit is ${maxBytes}`);
  }
  const slice = options.slice ?? new TimeSlice();
  let email: Email;
  try {
    const postalOptions = {
      attachmentEncoding: 'arraybuffer',
      maxRfc822NestingDepth: MAX_NESTED_MESSAGE_DEPTH,
      [DIGEST_ONLY]: options.digestOnly === true,
    } as const;
    email = await new SlicedParser(postalOptions, slice).parse(inPlace(raw));
  } catch {
    // The cause is not kept: its text can quote message bytes, and the code says all the UI needs.
    return recover(raw, slice);
  }
  const html = email.html ?? null;
  const hasBody = email.text !== undefined || html !== null || email.attachments.length > 0;
  // With no line that reads as a header, postal-mime takes the whole input for a header block
  // and finds no body; what the sender wrote is then only visible as the raw text.
  if (!hasBody && !email.headers.some(isWellFormedHeader) && raw.byteLength > 0) {
    return { ...emptyMessage(), text: decodeLoose(raw), recoveredFrom: 'malformed' };
  }
  return {
    headers: headersOf(email),
    text: email.text ?? (html === null ? '' : await htmlToTextSliced(html, slice)),
    html,
    attachments: email.attachments.map(attachmentOf),
    recoveredFrom: null,
  };
}

/**
 * Decodes a header block on its own (a POP3 TOP 0 or an IMAP BODY[HEADER] fetch). Anything
 * after the first blank line is ignored.
 */
export async function parseHeaders(rawHeader: Uint8Array): Promise<MessageHeaders> {
  if (!(rawHeader instanceof Uint8Array)) {
    throw new MimeError('invalid_input', 'parseHeaders needs a Uint8Array');
  }
  const block = rawHeader.subarray(0, headerEnd(rawHeader));
  if (block.byteLength > MAX_HEADER_BYTES) {
    throw new MimeError('malformed', `header block is ${block.byteLength} bytes, over ${MAX_HEADER_BYTES}`);
  }
  try {
    return headersOf(await PostalMime.parse(block));
  } catch (cause) {
    throw new MimeError('malformed', 'header block could not be parsed', { cause });
  }
}

/**
 * The message as postal-mime reads it without a copy. Given a view it copies the bytes into an
 * ArrayBuffer of their own (so that a view of a larger buffer cannot read its neighbours); an
 * ArrayBuffer it reads in place, and never writes to (its output is decoded into buffers of
 * its own). A message received whole is the whole of its buffer; the copy was 12 % of the
 * parse in the service worker's profile of a POP3 download (postal-mime's `resolveInput`).
 */
function inPlace(raw: Uint8Array): Uint8Array | ArrayBuffer {
  const { buffer } = raw;
  return buffer instanceof ArrayBuffer && raw.byteOffset === 0 && raw.byteLength === buffer.byteLength
    ? buffer
    : raw;
}

function limitOption(value: number | undefined, fallback: number, name: string): number {
  // Validated, not `||`-defaulted: 0 means 0, and NaN or a string must not switch the limit off.
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new MimeError('invalid_input', `${name} must be a non-negative integer`);
  }
  return value;
}

/** RFC 5322 §2.2: a field name is printable US-ASCII except the colon, and the line has one. */
function isWellFormedHeader(header: { key: string; value: string }): boolean {
  return /^[\x21-\x39\x3b-\x7e]+$/.test(header.key) && header.value.trim() !== '';
}

function flatten(addresses: Address[] | Address | undefined): MailAddress[] {
  if (!addresses) return [];
  const list = Array.isArray(addresses) ? addresses : [addresses];
  return list.flatMap((a) =>
    a.group
      ? a.group.map((m) => ({ name: m.name, address: m.address }))
      : [{ name: a.name, address: a.address }],
  );
}

function headersOf(email: Email): MessageHeaders {
  const date = email.date ? Date.parse(email.date) : Number.NaN;
  const messageId = email.messageId?.trim();
  return {
    from: flatten(email.from)[0] ?? null,
    to: flatten(email.to),
    cc: flatten(email.cc),
    replyTo: flatten(email.replyTo),
    date: Number.isFinite(date) ? date : null,
    subject: email.subject ?? '',
    messageId: messageId ? messageId : null,
  };
}

function attachmentOf(a: Attachment): MessageAttachment {
  const content =
    typeof a.content === 'string'
      ? new TextEncoder().encode(a.content)
      : a.content instanceof Uint8Array
        ? a.content
        : new Uint8Array(a.content);
  const contentId = a.contentId?.trim().replace(/^<|>$/g, '').trim();
  return {
    filename: a.filename,
    mimeType: a.mimeType,
    size: content.byteLength,
    contentId: contentId ? contentId : null,
    // RFC 2183 §2.8: an unrecognised disposition type is treated as `attachment`.
    disposition: a.disposition === null ? null : a.disposition === 'inline' ? 'inline' : 'attachment',
    related: a.related === true,
    content,
  };
}

function emptyHeaders(): MessageHeaders {
  return { from: null, to: [], cc: [], replyTo: [], date: null, subject: '', messageId: null };
}

function emptyMessage(): ParsedMessage {
  return { headers: emptyHeaders(), text: '', html: null, attachments: [], recoveredFrom: null };
}

/** Offset of the blank line ending the header block (CRLF CRLF or LF LF), or the input length. */
function headerEnd(raw: Uint8Array): number {
  for (let i = 0; i < raw.length - 1; i++) {
    if (raw[i] !== 0x0a) continue;
    if (raw[i + 1] === 0x0a) return i + 1;
    if (raw[i + 1] === 0x0d && raw[i + 2] === 0x0a) return i + 1;
  }
  return raw.length;
}

/** UTF-8 with replacement characters, control characters other than tab and newline dropped. */
function decodeLoose(bytes: Uint8Array): string {
  return (
    new TextDecoder('utf-8', { fatal: false })
      .decode(bytes)
      .replace(/\r\n?/g, '\n')
      // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
      .replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '')
  );
}

/** Lines of a broken message's body looked at between two looks at the clock. */
const LINES_PER_CHECK = 4096;

/**
 * The raw body minus the lines that only hold MIME structure (boundaries, part headers), which
 * a reader of a broken message does not want to wade through.
 */
async function withoutMimeScaffolding(body: string, slice: TimeSlice): Promise<string> {
  const lines = body.split('\n');
  const kept: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (i % LINES_PER_CHECK === 0) {
      const pause = slice.pause(UNITS_PER_CHECK);
      if (pause) await pause;
    }
    const line = lines[i]!;
    if (!/^--[^\s]{1,70}$|^(?:content-[a-z-]+|mime-version):/i.test(line)) kept.push(line);
  }
  return kept
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** The best reading of a message postal-mime refused: headers if they parse, the raw body as text. */
async function recover(raw: Uint8Array, slice: TimeSlice): Promise<ParsedMessage> {
  const end = headerEnd(raw);
  let headers = emptyHeaders();
  try {
    headers = await parseHeaders(raw.subarray(0, end));
  } catch {
    // the header block is part of what broke: show everything as text
  }
  const body = end < raw.length ? raw.subarray(end) : raw;
  return {
    ...emptyMessage(),
    headers,
    text: await withoutMimeScaffolding(decodeLoose(body), slice),
    recoveredFrom: 'malformed',
  };
}
