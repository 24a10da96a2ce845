/**
 * postal-mime 4.0's htmlToText (dist/esm/text-format.js, MIT), pass for pass, with a turn of the
 * event loop between its passes when the job's slice asks for one (time-slice.ts). postal-mime
 * runs it in one synchronous call when it renders an HTML part as text beside plain-text parts
 * (a forwarded HTML message): ~20 whole-string passes, 200+ ms for a 5 MB part. SlicedParser
 * (parse.ts) renders those parts with this first, so postal-mime finds them rendered. The text
 * is postal-mime's own, checked against it (parse-slices.test.ts); its entity decoding is
 * postal-mime's function itself.
 */
import { decodeHTMLEntities } from '../../../node_modules/postal-mime/dist/esm/text-format.js';
import { type TimeSlice, UNITS_PER_CHECK } from './time-slice.ts';

// Characters that `.` does not match, so a `.*` can not run across them
const LINE_TERMINATOR = /[\n\r\u2028\u2029]/g;

function lastLineTerminator(str: string): number {
  return Math.max(
    str.lastIndexOf('\n'),
    str.lastIndexOf('\r'),
    str.lastIndexOf('\u2028'),
    str.lastIndexOf('\u2029'),
  );
}

/** The next match of a global regex at or after a position that only moves forward. */
function createFinder(str: string, regex: RegExp): (pos: number) => RegExpExecArray | null {
  let searchedFrom = Number.POSITIVE_INFINITY;
  let found: RegExpExecArray | null = null;
  return (pos) => {
    if (pos < searchedFrom || (found && pos > found.index)) {
      regex.lastIndex = pos;
      found = regex.exec(str);
      searchedFrom = pos;
    }
    return found;
  };
}

/** `str.replace(pattern, replacement)` for a pattern shaped like `<tag\b[^>]*>`. */
function replaceClosedTags(str: string, pattern: RegExp, replacement: string): string {
  const end = str.lastIndexOf('>') + 1;
  return str.slice(0, end).replace(pattern, replacement) + str.slice(end);
}

/** `str.replace(pattern, replacement)` for a tag pattern that may fail even when a `>` follows. */
function replaceTags(
  str: string,
  prefix: RegExp,
  pattern: RegExp,
  replacement: (...match: string[]) => string,
): string {
  const parts: string[] = [];
  let copied = 0;
  let searchFrom = 0;
  while (true) {
    prefix.lastIndex = searchFrom;
    const candidate = prefix.exec(str);
    if (!candidate) break;
    const start = candidate.index;
    pattern.lastIndex = start;
    const match = pattern.exec(str);
    if (!match) {
      const gt = str.indexOf('>', start);
      if (gt < 0) break;
      searchFrom = gt + 1;
      continue;
    }
    parts.push(str.slice(copied, start), replacement(...(match as unknown as string[])));
    copied = searchFrom = start + match[0].length;
  }
  parts.push(str.slice(copied));
  return parts.join('');
}

/** `str.replace(pattern, replacement)` for an opener, a lazy `.*?` and a closer. */
function replaceBlocks(
  str: string,
  open: RegExp,
  openToGt: boolean,
  close: RegExp,
  closeToGt: boolean,
  replacement: string,
): string {
  const nextGt = createFinder(str, />/g);
  const nextClose = createFinder(str, close);
  const nextLineEnd = createFinder(str, LINE_TERMINATOR);
  const parts: string[] = [];
  let copied = 0;
  let searchFrom = 0;
  while (true) {
    open.lastIndex = searchFrom;
    const opener = open.exec(str);
    if (!opener) break;
    const start = opener.index;
    searchFrom = start + 1;
    let from = start + opener[0].length;
    if (openToGt) {
      const gt = nextGt(from);
      if (!gt) break;
      from = gt.index + 1;
    }
    const closer = nextClose(from);
    if (!closer) break;
    const lineEnd = nextLineEnd(from);
    if (lineEnd && lineEnd.index < closer.index) continue;
    let end = closer.index + closer[0].length;
    if (closeToGt) {
      const gt = nextGt(end);
      if (!gt) break;
      end = gt.index + 1;
    }
    parts.push(str.slice(copied, start), replacement);
    copied = searchFrom = end;
  }
  parts.push(str.slice(copied));
  return parts.join('');
}

/** `str.replace(pattern, '')` for `^.*<tag\b[^>]*>`. */
function stripThroughLastTag(str: string, prefix: RegExp): string {
  const lineEnd = str.search(LINE_TERMINATOR);
  const limit = Math.min(lineEnd < 0 ? str.length : lineEnd, str.lastIndexOf('>'));
  let last = -1;
  prefix.lastIndex = 0;
  let match = prefix.exec(str);
  while (match && match.index < limit) {
    last = match.index;
    match = prefix.exec(str);
  }
  return last < 0 ? str : str.slice(str.indexOf('>', last) + 1);
}

/** `str.replace(pattern, '')` for `<tag\b[^>]*>.*$`. */
function stripFromFirstTag(str: string, prefix: RegExp): string {
  const lineEnd = lastLineTerminator(str);
  prefix.lastIndex = lineEnd < 0 ? 0 : str.lastIndexOf('>', lineEnd) + 1;
  const match = prefix.exec(str);
  return match && match.index < str.lastIndexOf('>') ? str.slice(0, match.index) : str;
}

/** The passes of postal-mime's htmlToText, in its order. */
const PASSES: Array<(str: string) => string> = [
  // we can't process tags on multiple lines so remove newlines first
  (str) => str.replace(/\r?\n/g, '\u0001'),
  (str) => replaceBlocks(str, /<!--/g, false, /-->/g, false, ' '),
  (str) => replaceClosedTags(str, /<br\b[^>]*>/gi, '\n'),
  (str) => replaceClosedTags(str, /<\/?(p|div|table|tr|td|th)\b[^>]*>/gi, '\n\n'),
  (str) => replaceBlocks(str, /<script\b/gi, true, /<\/script\b/gi, true, ' '),
  (str) => stripThroughLastTag(str, /<body\b/gi),
  (str) => stripThroughLastTag(str, /<\/head\b/gi),
  (str) => stripThroughLastTag(str, /<!doctype\b/gi),
  (str) => stripFromFirstTag(str, /<\/body\b/gi),
  (str) => stripFromFirstTag(str, /<\/html\b/gi),
  (str) =>
    replaceTags(
      str,
      /<a\b/gi,
      /<a\b[^>]*href\s*=\s*["']?([^\s"']+)[^>]*>/iy,
      (_match, href) => ` (${href}) `,
    ),
  (str) => replaceClosedTags(str, /<\/?(span|em|i|strong|b|u|a)\b[^>]*>/gi, ''),
  // the whitespace after the tag may run on past the last `>`
  // biome-ignore lint/suspicious/noControlCharactersInRegex: U+0001 stands for a line break here, as in postal-mime
  (str) => replaceTags(str, /<li\b/gi, /<li\b[^>]*>[\n\u0001\s]*/iy, () => '* '),
  (str) => replaceClosedTags(str, /<hr\b[^>]*>/g, '\n-------------\n'),
  (str) => replaceClosedTags(str, /<[^>]*>/g, ' '),
  // convert linebreak placeholders back to newlines
  // biome-ignore lint/suspicious/noControlCharactersInRegex: U+0001 stands for a line break here, as in postal-mime
  (str) => str.replace(/\u0001/g, '\n'),
  // Only the runs that change: a single space replaced by itself was most of the cost
  // (scripts/postal-mime-patch.ts, 4).
  (str) => str.replace(/[ \t]{2,}|\t/g, ' '),
  (str) => str.replace(/^\s+$/gm, ''),
  (str) => str.replace(/\n\n+/g, '\n\n'),
  (str) => str.replace(/^\n+/, '\n'),
  (str) => str.replace(/\n+$/, '\n'),
  decodeHTMLEntities,
];

/** postal-mime's htmlToText, a turn of the event loop given between passes as `slice` asks. */
export async function postalHtmlToText(html: string, slice: TimeSlice): Promise<string> {
  let str = html;
  for (const pass of PASSES) {
    const pause = slice.pause(UNITS_PER_CHECK);
    if (pause) await pause;
    str = pass(str);
  }
  return str;
}
