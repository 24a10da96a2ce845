/**
 * Parsing in time slices (time-slice.ts): a large message gives the event loop turns while it
 * is parsed, so tasks queued meanwhile (a timer, a message from the popup) run before it ends,
 * and the result is the same as postal-mime's unsliced parse, byte for byte.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { MessageChannel } from 'node:worker_threads';
import PostalMime from 'postal-mime';
import { htmlToText } from './html-to-text.ts';
import { MAX_NESTED_MESSAGE_DEPTH, POSTAL_MIME_INTERNALS, parseMessage } from './parse.ts';
import { NO_SLICING, TimeSlice } from './time-slice.ts';
import type { ParsedMessage } from './types.ts';

const FIXTURES = new URL('../../../test/fixtures/mail/', import.meta.url);
const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(name, FIXTURES)));

/**
 * `levels` messages nested inline (message/rfc822), each with a line of text, the innermost one
 * a body of `rows` lines, text or HTML. The innermost one read inline is MAX_NESTED_MESSAGE_DEPTH
 * deep; `levels` beyond that are kept as a message attachment.
 */
function nestedMessage(levels: number, rows: number, type: 'text/plain' | 'text/html'): Uint8Array {
  const line = 'The quick brown fox jumps over the lazy dog, again and again.';
  const body = Array.from({ length: rows }, (_, i) =>
    type === 'text/html' ? `<p>${i} <b>${line}</b> &amp; more</p>` : `${i} ${line}`,
  ).join('\r\n');
  let message = `Subject: level ${levels}\r\nContent-Type: ${type}; charset=utf-8\r\n\r\n${body}\r\n`;
  for (let level = levels - 1; level >= 1; level--) {
    const b = `b${level}`;
    message =
      `Subject: level ${level}\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="${b}"\r\n\r\n` +
      `--${b}\r\nContent-Type: text/plain\r\n\r\nText of level ${level}.\r\n` +
      `--${b}\r\nContent-Type: message/rfc822\r\n\r\n${message}\r\n--${b}--\r\n`;
  }
  return new TextEncoder().encode(message);
}

/**
 * An HTML-only message forwarded inline beside a text part: postal-mime renders its HTML into the
 * plain-text body (SlicedParser does that first, in slices). Every pass of the rendering has
 * something to do: comments, scripts, links, lists, rules, entities, blanks of every kind.
 */
function forwardedHtml(): Uint8Array {
  const blanks = ['a b', 'a  b', 'a\tb', 'a \t b', ' lead', 'trail ', 'a\u00a0 b', ' \t '];
  const html =
    '<!doctype html><html><head><title>t</title></head><body>' +
    blanks.map((b, i) => `<p>${b}</p>${i % 2 ? '\r\n' : ''}<b> ${b} </b>\t<br>  `).join('') +
    '<!-- a comment --><script>var x = "<p>";</script><a href="https://example.org/x">link</a> <a name=n>anchor</a>' +
    '<ul><li>one</li><li>\r\n  two</li></ul><hr><div>&amp; &lt;tag&gt; &eacute; &#x1F600; &bogus;</div>\r\n\r\n\r\n' +
    '<table><tr><td>cell</td><th>head</th></tr></table><span>unclosed <a href=</body></html>';
  return new TextEncoder().encode(
    'Subject: fwd\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n' +
      '--b\r\nContent-Type: text/plain\r\n\r\nSee  below,\tplease.\r\n' +
      '--b\r\nContent-Type: message/rfc822\r\n\r\n' +
      `Subject: inner\r\nContent-Type: text/html; charset=utf-8\r\n\r\n${html}\r\n--b--\r\n`,
  );
}

/** A clock that moves one millisecond each time it is read: slices counted in reads, not time. */
function countingClock(): () => number {
  let ms = 0;
  return () => ++ms;
}

test('a large nested message gives the event loop turns: a timer and a message queued during the parse run before it ends', async (t) => {
  // HTML inside, at the deepest level read inline: the parse renders it as text, as well.
  const raw = nestedMessage(MAX_NESTED_MESSAGE_DEPTH + 1, 10_000, 'text/html');
  const events: string[] = [];
  let ticks = 0;
  let parsing = true;
  const tick = () => {
    ticks++;
    if (parsing) setImmediate(tick);
  };
  // A turn every 20 reads of the clock, a read every 256 lines or so: many turns, whatever the machine's speed.
  const slice = new TimeSlice({ budgetMs: 20, now: countingClock() });
  const parsed = parseMessage(raw, { slice });
  // Queued once the parse has started, as a popup's message or an alarm would be.
  setTimeout(() => events.push('timer'), 0);
  const { port1, port2 } = new MessageChannel();
  t.after(() => port1.close());
  port1.on('message', () => events.push('message'));
  port2.postMessage('from the popup');
  setImmediate(tick);
  const m = await parsed;
  events.push('parsed');
  parsing = false;
  assert.deepEqual(events.slice(-1), ['parsed']);
  assert.ok(events.includes('timer') && events.includes('message'), events.join());
  assert.ok(slice.turns >= 10, `${slice.turns} turns`);
  // Every turn let the other task run: it ran at least once per turn, not once at the end.
  assert.ok(ticks >= slice.turns, `${ticks} ticks for ${slice.turns} turns`);
  assert.match(m.text, /Text of level 1\./);
  assert.match(m.html ?? '', /<p>9999 <b>The quick brown fox/);
});

test('the HTML of a large HTML-only message is rendered as text in slices too', async () => {
  const raw = nestedMessage(1, 20_000, 'text/html');
  const slice = new TimeSlice({ budgetMs: 20, now: countingClock() });
  const m = await parseMessage(raw, { slice });
  assert.equal(m.text, htmlToText(m.html!));
  assert.ok(m.text.startsWith('0 The quick brown fox'));
  assert.ok(slice.turns >= 5, `${slice.turns} turns`);
});

test('no turn is given for a small message', async () => {
  const slice = new TimeSlice();
  await parseMessage(fixture('multipart-alternative.eml'), { slice });
  assert.equal(slice.turns, 0);
});

/** What parseMessage made of postal-mime's unsliced output (its mapping, as in parse.ts). */
async function unsliced(raw: Uint8Array) {
  const email = await PostalMime.parse(raw, {
    attachmentEncoding: 'arraybuffer',
    maxRfc822NestingDepth: MAX_NESTED_MESSAGE_DEPTH,
  });
  return {
    text: email.text ?? (email.html ? htmlToText(email.html) : ''),
    html: email.html ?? null,
    attachments: email.attachments.map((a) => ({
      filename: a.filename,
      mimeType: a.mimeType,
      content: new Uint8Array(a.content as ArrayBuffer),
    })),
  };
}

function essentials(m: ParsedMessage) {
  return {
    text: m.text,
    html: m.html,
    attachments: m.attachments.map((a) => ({
      filename: a.filename,
      mimeType: a.mimeType,
      content: a.content,
    })),
  };
}

test('sliced, every fixture parses to what it did unsliced, byte for byte', async () => {
  const names = readdirSync(FIXTURES).filter((n) => n.endsWith('.eml'));
  assert.ok(names.length >= 15, names.join());
  const inputs: Array<[string, Uint8Array]> = names.map((n) => [n, fixture(n)]);
  inputs.push(
    ['nested text', nestedMessage(5, 3_000, 'text/plain')],
    ['nested html', nestedMessage(3, 3_000, 'text/html')],
    ['forwarded html', forwardedHtml()],
  );
  let turns = 0;
  for (const [name, raw] of inputs) {
    // A turn at every look at the clock: the most a parse is ever cut up.
    const slice = new TimeSlice({ budgetMs: 0 });
    const sliced = await parseMessage(raw, { slice });
    turns += slice.turns;
    assert.deepEqual(sliced, await parseMessage(raw, { slice: NO_SLICING }), name);
    if (sliced.recoveredFrom === null) assert.deepEqual(essentials(sliced), await unsliced(raw), name);
  }
  assert.ok(turns >= 100, `${turns} turns in all`);
});

test('postal-mime still has the methods the sliced parser wraps', () => {
  for (const name of ['processLine', 'collectNode', 'collectSubMessage', 'addTextEntry'] as const) {
    assert.equal(typeof POSTAL_MIME_INTERNALS[name], 'function', name);
  }
});
