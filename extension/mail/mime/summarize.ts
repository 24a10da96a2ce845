/**
 * The preview line and attachment flag of a parsed message, for the message list and for
 * notifications. Works on text only; HTML is rendered to text first.
 */
import { htmlToText } from './html-to-text.ts';
import type { MessageAttachment, MessageDigest, ParsedMessage } from './types.ts';

/** Preview length in characters: the list shows two lines, a notification about three. */
export const PREVIEW_CHARS = 200;

/**
 * How much of the body is looked at. The preview needs 200 characters; only a message whose
 * first 64 K are all quotes or blank would show less, and a 5 MB body costs nothing extra.
 */
const SCAN_CHARS = 64 * 1024;

/**
 * Characters that render as nothing. Newsletters pad their hidden preheader with runs of
 * them (`&zwnj;&nbsp;` and U+034F) so that mail clients show only the preheader.
 */
const INVISIBLE =
  /\u034f|[\u00ad\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u206a-\u206f\u3164\ufeff\uffa0]/g;

/** RFC 3676 §4.3 signature separator, plus the bare `--` many clients send after trimming. */
const SIGNATURE = /^-- ?$/;

/** Lines after which a client pasted the message being replied to (Outlook and others). */
const ORIGINAL_MESSAGE =
  /^(?:-{2,}\s*(?:original message|ursprüngliche nachricht|message d'origine|mensaje original)\s*-{2,}|_{20,})$/i;

/** "On <date>, <name> wrote:" and its translations: the line introducing a quote. */
const ATTRIBUTION =
  /(?:wrote|schrieb|a écrit|escribió|ha scritto|skrev|schreef|napisał|написал\(а\)|написал|kirjoitti):?\s*$/i;

/** The digest of a parsed message: preview text and whether it has real attachments. */
export function summarize(parsed: ParsedMessage): MessageDigest {
  // Lower-cased once, when an attachment needs it: once per attachment was the whole body again
  // for every inline part of a large newsletter.
  let lowered: string | null = null;
  const lowerHtml = () => (lowered ??= (parsed.html ?? '').toLowerCase());
  return {
    preview: previewOf(parsed),
    hasAttachments: parsed.attachments.some((a) => !isInlineImage(a, lowerHtml)),
  };
}

function previewOf(parsed: ParsedMessage): string {
  let text = parsed.text.slice(0, SCAN_CHARS).replace(INVISIBLE, '');
  // Some senders put only a blank line or "view this in a browser" in the text part; a blank
  // one is useless, so the HTML speaks instead.
  if (text.trim() === '' && parsed.html)
    text = htmlToText(parsed.html.slice(0, SCAN_CHARS * 4)).replace(INVISIBLE, '');
  return truncate(collapse(ownWords(text)));
}

/** The sender's own lines: quoted text, its attribution line and the signature dropped. */
function ownWords(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const kept: string[] = [];
  // Whether `kept` is as dropAttribution left it: then calling it again changes nothing, and a
  // quote of many lines tests the attribution pattern once, not once per line.
  let settled = false;
  for (const line of lines) {
    const trimmed = line.trim();
    if (SIGNATURE.test(line.trimEnd()) || (ORIGINAL_MESSAGE.test(trimmed) && hasWords(kept))) break;
    if (trimmed.startsWith('>')) {
      if (!settled) {
        const before = kept.length;
        dropAttribution(kept);
        settled = kept.length === before;
      }
      continue;
    }
    kept.push(line);
    settled = false;
  }
  // A message that is nothing but a quote (a bare forward) still gets a preview: the quote.
  if (!hasWords(kept)) {
    const signature = lines.findIndex((l) => SIGNATURE.test(l.trimEnd()));
    return lines
      .slice(0, signature < 0 ? lines.length : signature)
      .map((l) => l.replace(/^\s*(?:>\s?)+/, ''))
      .join('\n');
  }
  return kept.join('\n');
}

/** Removes the "On … wrote:" lines just before a quote, which Gmail wraps over up to three lines. */
function dropAttribution(kept: string[]): void {
  let last = kept.length - 1;
  while (last >= 0 && kept[last]!.trim() === '') last--;
  if (last < 0 || !ATTRIBUTION.test(kept[last]!)) return;
  let first = last;
  // Walk back over the wrapped start of the attribution, to the line that begins "On …".
  for (let back = last; back >= Math.max(0, last - 2); back--) {
    if (kept[back]!.trim() === '') break;
    if (/^\s*(?:on|am|le|el|il|op|den|w dniu)\b/i.test(kept[back]!)) {
      first = back;
      break;
    }
  }
  kept.length = first;
}

function hasWords(lines: string[]): boolean {
  return lines.some((l) => l.trim() !== '');
}

/**
 * Every run of white space as one space. Only runs that are not already a single space are
 * replaced: `/\s+/g` matched between every two words, and each match costs more than the scan
 * (collapse was the costliest step of an IMAP preview, made for every message of a sync).
 */
function collapse(text: string): string {
  return text.replace(/\s{2,}|[^\S ]/g, ' ').trim();
}

/** At most PREVIEW_CHARS UTF-16 units with the ellipsis (what the store keeps), never half a surrogate pair. */
function truncate(text: string): string {
  if (text.length <= PREVIEW_CHARS) return text;
  let cut = PREVIEW_CHARS - 1;
  if (/[\ud800-\udbff]/.test(text[cut - 1] ?? '')) cut--;
  let head = text.slice(0, cut);
  // Cut at a word boundary when one is near the end.
  const space = head.lastIndexOf(' ');
  if (space > PREVIEW_CHARS * 0.75) head = head.slice(0, space);
  return `${head.trimEnd()}…`;
}

/**
 * Servers cut their previews (RFC 8970) at a length of their own, often inside a word: Dovecot
 * at 200 characters, less a trailing space it trims. A preview at least this long was cut.
 */
const SERVER_CUT_CHARS = 199;

/**
 * A preview the server made (FETCH PREVIEW, RFC 8970) as the list shows previews: invisible
 * padding dropped, white space collapsed, and a cut marked with an ellipsis after the last whole
 * word, as truncate() marks ours. The server has dropped quoted lines already (Dovecot does);
 * an attribution line or a signature it kept stays, there being no lines left to find them by.
 */
export function previewFromServer(raw: string): string {
  const text = collapse(raw.replace(INVISIBLE, ''));
  if (text.length > PREVIEW_CHARS || characters(raw) < SERVER_CUT_CHARS) return truncate(text);
  const space = text.lastIndexOf(' ');
  const whole = /\s$/.test(raw) || space < PREVIEW_CHARS * 0.75 ? text : text.slice(0, space);
  return `${whole.trimEnd()}…`;
}

/** Characters (code points) in `text`, without an array of them: one call per message of a sync. */
function characters(text: string): number {
  return text.length - (text.match(/[\ud800-\udbff][\udc00-\udfff]/g)?.length ?? 0);
}

/**
 * An image the HTML shows in place (a multipart/related part with a Content-ID, or one the
 * HTML names by `cid:`), as opposed to a file the user would call an attachment.
 */
function isInlineImage(a: MessageAttachment, lowerHtml: () => string): boolean {
  if (a.disposition === 'attachment' || a.contentId === null) return false;
  if (a.related) return true;
  return lowerHtml().includes(`cid:${a.contentId.toLowerCase()}`);
}
