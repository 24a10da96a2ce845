/**
 * Web and mail addresses in plain text, found for the reader to make clickable. The result is
 * data, rendered as text nodes and <a> elements (never through innerHTML), and every link target
 * goes through the same policy as links in HTML mail.
 */
import { linkHref } from '../sanitize-url.ts';

/** A run of text, and the link it is when `href` is set. */
export interface TextRun {
  text: string;
  href?: string;
}

/**
 * Most links made in one body. Past it the rest stays plain text: a 5 MB body of URLs would
 * otherwise become hundreds of thousands of elements in the popup.
 */
export const MAX_LINKS = 2000;

const CANDIDATE =
  /\b(?:https?:\/\/|www\.)[^\s<>"'`{}|\\^]+|\b(?:mailto:)?[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b/gi;

/** Drops trailing punctuation that ends the sentence rather than the URL, and unmatched closers. */
function trimEnd(url: string): string {
  let end = url.length;
  for (;;) {
    const c = url[end - 1];
    if (c === undefined) break;
    if ('.,;:!?\'"*'.includes(c)) {
      end--;
      continue;
    }
    const pair = c === ')' ? '(' : c === ']' ? '[' : null;
    if (pair) {
      const head = url.slice(0, end);
      if (head.split(pair).length < head.split(c).length) {
        end--;
        continue;
      }
    }
    break;
  }
  return url.slice(0, end);
}

function targetOf(match: string): string | null {
  if (/^www\./i.test(match)) return linkHref(`https://${match}`);
  if (/^https?:\/\//i.test(match)) return linkHref(match);
  return linkHref(/^mailto:/i.test(match) ? match : `mailto:${match}`);
}

/** Splits `text` into plain runs and links. */
export function linkify(text: string): TextRun[] {
  const runs: TextRun[] = [];
  let last = 0;
  let links = 0;
  CANDIDATE.lastIndex = 0;
  for (let m = CANDIDATE.exec(text); m && links < MAX_LINKS; m = CANDIDATE.exec(text)) {
    const url = trimEnd(m[0]);
    const href = url === '' ? null : targetOf(url);
    if (href === null) continue;
    if (m.index > last) runs.push({ text: text.slice(last, m.index) });
    runs.push({ text: url, href });
    links++;
    last = m.index + url.length;
    CANDIDATE.lastIndex = last;
  }
  if (last < text.length) runs.push({ text: text.slice(last) });
  return runs;
}
