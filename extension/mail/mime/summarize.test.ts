import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parseMessage } from './parse.ts';
import { PREVIEW_CHARS, previewFromServer, summarize } from './summarize.ts';
import type { MessageAttachment, ParsedMessage } from './types.ts';

const FIXTURES = new URL('../../../test/fixtures/mail/', import.meta.url);
const parseFixture = (name: string) => parseMessage(new Uint8Array(readFileSync(new URL(name, FIXTURES))));

function message(
  text: string,
  html: string | null = null,
  attachments: MessageAttachment[] = [],
): ParsedMessage {
  return {
    headers: { from: null, to: [], cc: [], replyTo: [], date: null, subject: '', messageId: null },
    text,
    html,
    attachments,
    recoveredFrom: null,
  };
}

function attachment(over: Partial<MessageAttachment>): MessageAttachment {
  return {
    filename: 'a.png',
    mimeType: 'image/png',
    size: 1,
    contentId: null,
    disposition: null,
    related: false,
    content: new Uint8Array([1]),
    ...over,
  };
}

test('plain fixture: quote, attribution and signature are not in the preview', async () => {
  const digest = summarize(await parseFixture('plain-text.eml'));
  assert.equal(
    digest.preview,
    'Hi Bob, Are you free for lunch on Friday? The new place on Main Street does a great risotto. See https://example.org/menu for the menu.',
  );
  assert.equal(digest.hasAttachments, false);
});

test('Gmail wraps the attribution over two lines; both go', () => {
  const text =
    'Sounds good.\n\nOn Mon, Jan 1, 2024 at 10:00 AM John Doe <\njohn@example.com> wrote:\n\n> old\n';
  assert.equal(summarize(message(text)).preview, 'Sounds good.');
});

test('inline replies keep the sender’s own lines between quotes', () => {
  const text = '> question one?\nAnswer one.\n> question two?\nAnswer two.';
  assert.equal(summarize(message(text)).preview, 'Answer one. Answer two.');
});

test('Outlook’s original-message block and underscore separator end the preview', () => {
  assert.equal(summarize(message('Yes.\n\n-----Original Message-----\nFrom: x\nold text')).preview, 'Yes.');
  assert.equal(summarize(message(`Fine.\n${'_'.repeat(32)}\nFrom: x\nSent: y\nold`)).preview, 'Fine.');
});

test('a message that is only a quote previews the quote', () => {
  assert.equal(
    summarize(message('> forwarded words\n> more words\n-- \nsig')).preview,
    'forwarded words more words',
  );
});

test('a signature separator without the trailing space still counts', () => {
  assert.equal(summarize(message('Body\n--\nJane\n+1 555')).preview, 'Body');
});

test('HTML-only fixture: preview from the HTML, invisible padding removed', async () => {
  const digest = summarize(await parseFixture('html-only.eml'));
  assert.ok(digest.preview.startsWith('Five things you missed Five things Café prices'), digest.preview);
  assert.doesNotMatch(digest.preview, /\u200c|\u034f| {2}/);
});

test('a blank text part gives way to the HTML', () => {
  assert.equal(summarize(message('\n \u200c\n', '<p>From the <b>HTML</b></p>')).preview, 'From the HTML');
});

test('long text is cut at a word near the limit, with an ellipsis, inside PREVIEW_CHARS', () => {
  const words = Array.from({ length: 100 }, (_, i) => `word${i}`).join(' ');
  const preview = summarize(message(words)).preview;
  assert.ok(preview.length <= PREVIEW_CHARS, `${preview.length}`);
  assert.ok(preview.endsWith('…'));
  assert.match(preview, /word\d+…$/, 'cut between words');
  assert.ok(words.startsWith(preview.slice(0, -1)));
});

test('a cut never splits a surrogate pair', () => {
  for (const pad of ['', 'x']) {
    const preview = summarize(message(pad + '😀'.repeat(150))).preview;
    assert.ok(preview.length <= PREVIEW_CHARS);
    assert.doesNotMatch(preview, /[\ud800-\udbff](?![\udc00-\udfff])/, 'no lone high surrogate');
  }
});

test('short text passes unchanged (whitespace collapsed)', () => {
  assert.equal(summarize(message('  Hello\n\n  world  ')).preview, 'Hello world');
  assert.equal(summarize(message('')).preview, '');
});

test('every kind and length of white-space run collapses to one space, as /\\s+/ would', () => {
  for (const text of ['a  b', 'a\tb', 'a\u00a0b', 'a \u00a0\u2003 b', 'a\r\n\r\nb', ' a\f\vb ', 'a b c']) {
    assert.equal(summarize(message(text)).preview, text.replace(/\s+/g, ' ').trim(), JSON.stringify(text));
  }
});

test('hasAttachments: files count, inline images of the HTML do not', async () => {
  assert.equal(summarize(await parseFixture('attachments.eml')).hasAttachments, true);
  assert.equal(summarize(await parseFixture('inline-cid-image.eml')).hasAttachments, false);
  assert.equal(summarize(await parseFixture('large-5mb.eml')).hasAttachments, true);
  const html = '<img src="cid:Logo@x">';
  // named by the HTML though not in a related tree
  assert.equal(
    summarize(message('', html, [attachment({ contentId: 'logo@x', disposition: 'inline' })])).hasAttachments,
    false,
  );
  // inline disposition but nothing shows it: the user needs to see it listed
  assert.equal(
    summarize(message('', html, [attachment({ contentId: 'other@x', disposition: 'inline' })]))
      .hasAttachments,
    true,
  );
  // explicitly an attachment, even when related
  assert.equal(
    summarize(
      message('', html, [attachment({ contentId: 'logo@x', related: true, disposition: 'attachment' })]),
    ).hasAttachments,
    true,
  );
  assert.equal(summarize(message('', null, [attachment({})])).hasAttachments, true);
});

test('server previews (RFC 8970): short ones kept, padding and runs of white space gone', () => {
  assert.equal(
    previewFromServer('  Lunch at noon?\u200c\u00a0 \u200c See you\tthere. '),
    'Lunch at noon? See you there.',
  );
  assert.equal(previewFromServer(''), '');
});

test('a server preview cut at its limit ends at the last whole word, with an ellipsis', () => {
  // Dovecot cuts at 200 characters, inside a word.
  const words = 'Release schedule again issue before week message support account release. ';
  const cut = words.repeat(3).slice(0, 200);
  assert.equal(cut.endsWith(' sup'), true, 'the fixture ends inside a word');
  const preview = previewFromServer(cut);
  assert.ok(preview.endsWith('message…'), preview);
  assert.ok(preview.length <= PREVIEW_CHARS);
  // Cut just after a word: nothing to drop, the cut still shown.
  const atSpace = `${'word '.repeat(39)}done `;
  assert.equal(previewFromServer(atSpace), `${atSpace.trim()}…`);
  // One character short of the limit after Dovecot trimmed its trailing space: still a cut.
  assert.ok(previewFromServer(cut.slice(0, 199)).endsWith('…'));
  // Counted in characters, not UTF-16 units: 100 emoji (200 units) are a short preview.
  assert.equal(previewFromServer('🙂'.repeat(100)), '🙂'.repeat(100));
});

test('a server preview longer than the list shows is truncated as ours are', () => {
  const long = 'word '.repeat(60);
  const preview = previewFromServer(long);
  assert.ok(preview.length <= PREVIEW_CHARS && preview.endsWith('word…'), preview);
});
