/**
 * What the MIME layer hands the rest of Biff. Plain data only (strings, numbers, Uint8Array),
 * so a parsed message can be stored in IndexedDB and posted between extension contexts.
 */
import type { MimeErrorCode } from './errors.ts';

/** One mailbox; address groups are flattened into their members. */
export interface MailAddress {
  /** Decoded display name (RFC 2047 words decoded), or '' when the header had none. */
  name: string;
  address: string;
}

/** The headers Biff shows and indexes, decoded. */
export interface MessageHeaders {
  from: MailAddress | null;
  to: MailAddress[];
  cc: MailAddress[];
  replyTo: MailAddress[];
  /** The Date header in ms since the epoch, or null when missing or unparseable. */
  date: number | null;
  /** Decoded subject, '' when missing. */
  subject: string;
  /** The Message-ID with its angle brackets, or null. */
  messageId: string | null;
}

/** One attachment or inline part. */
export interface MessageAttachment {
  /** Decoded file name, or null when the part names none. */
  filename: string | null;
  /** Lowercase MIME type, e.g. `image/png`. */
  mimeType: string;
  /** Decoded size in bytes. */
  size: number;
  /** Content-ID without angle brackets (what `cid:` URLs name), or null. */
  contentId: string | null;
  /**
   * `inline` or `attachment`; unknown tokens read as `attachment` (RFC 2183 §2.8); null when
   * the part has no Content-Disposition.
   */
  disposition: 'inline' | 'attachment' | null;
  /** Whether the part sits in a multipart/related tree with a Content-ID: an inline image of the HTML. */
  related: boolean;
  /** Decoded bytes. */
  content: Uint8Array;
}

/** A whole parsed message. */
export interface ParsedMessage {
  headers: MessageHeaders;
  /** The plain-text body, or a text rendering of the HTML when the message has no text part. */
  text: string;
  /** The HTML body exactly as sent: hostile, sanitise it in the page before showing it. */
  html: string | null;
  attachments: MessageAttachment[];
  /**
   * Set when the parser could not read the structure and this is a best-effort reading
   * (headers where they could be read, the raw body as text). null for a normal parse.
   */
  recoveredFrom: MimeErrorCode | null;
}

/** What a message list row and a notification need. */
export interface MessageDigest {
  /** About the first 200 characters of readable text, one line, quotes and signature dropped. */
  preview: string;
  /** Whether the message has parts the user would call attachments (not inline images of the HTML). */
  hasAttachments: boolean;
}
