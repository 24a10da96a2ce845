import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import PostalMime from 'postal-mime';
import { MimeError } from './errors.ts';
import { MAX_HEADER_BYTES, MAX_NESTED_MESSAGE_DEPTH, parseHeaders, parseMessage } from './parse.ts';

const FIXTURES = new URL('../../../test/fixtures/mail/', import.meta.url);
const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(name, FIXTURES)));

test('plain text message: headers and text', async () => {
  const m = await parseMessage(fixture('plain-text.eml'));
  assert.equal(m.recoveredFrom, null);
  assert.deepEqual(m.headers, {
    from: { name: 'Alice Example', address: 'alice@example.org' },
    to: [
      { name: 'Bob', address: 'bob@example.net' },
      { name: '', address: 'carol@example.net' },
    ],
    cc: [{ name: 'Dave, Jr.', address: 'dave@example.com' }],
    replyTo: [{ name: '', address: 'replies@example.org' }],
    date: Date.UTC(2025, 6, 4, 7, 15),
    subject: 'Lunch on Friday?',
    messageId: '<plain-1@example.org>',
  });
  assert.match(m.text, /^Hi Bob,\n\nAre you free for lunch on Friday\?/);
  assert.match(m.text, /> Let's catch up soon\./);
  assert.equal(m.html, null);
  assert.deepEqual(m.attachments, []);
});

test('HTML-only message: html kept as sent, text rendered from it', async () => {
  const m = await parseMessage(fixture('html-only.eml'));
  assert.ok(m.html?.includes('<script>alert(1)</script>'), 'html is raw: sanitising is the page’s job');
  assert.ok(m.html?.includes('<a href="https://example.com/more">'), 'quoted-printable decoded');
  assert.doesNotMatch(m.text, /alert|font-family|Weekly/, 'script, style and title are not text');
  assert.match(m.text, /Café prices rose by 5\u00a0% — here's why\./);
  assert.match(m.text, /• One\n• Two & three/);
  assert.match(m.text, /Cell A Cell B/);
  assert.equal(m.headers.from?.name, 'Weekly News');
});

test('multipart/alternative: the plain part is the text, the HTML part the html', async () => {
  const m = await parseMessage(fixture('multipart-alternative.eml'));
  assert.equal(m.text.trim(), 'The plain version: café at noon.');
  assert.equal(m.html?.trim(), '<p>The <b>HTML</b> version: café at noon.</p>');
  assert.deepEqual(m.attachments, []);
});

test('attachments: names (RFC 2231 too), types, sizes, bytes', async () => {
  const m = await parseMessage(fixture('attachments.eml'));
  assert.equal(m.text.trim(), 'Report attached, plus the notes.');
  assert.equal(m.attachments.length, 2);
  const [pdf, notes] = m.attachments;
  const expected = new Uint8Array([
    ...new TextEncoder().encode('%PDF-1.4\n% fake pdf for tests\n'),
    ...Array.from({ length: 256 }, (_, i) => i),
  ]);
  assert.deepEqual(
    { ...pdf!, content: undefined },
    {
      filename: 'report.pdf',
      mimeType: 'application/pdf',
      size: expected.length,
      contentId: null,
      disposition: 'attachment',
      related: false,
      content: undefined,
    },
  );
  assert.ok(pdf!.content instanceof Uint8Array);
  assert.deepEqual(Array.from(pdf!.content), Array.from(expected));
  assert.equal(notes!.filename, 'Nötes.txt');
  // postal-mime hands text parts over with LF line ends
  assert.equal(new TextDecoder().decode(notes!.content), 'line one\nline two\n');
});

test('inline cid image: Content-ID without brackets, related, inline', async () => {
  const m = await parseMessage(fixture('inline-cid-image.eml'));
  assert.match(m.html ?? '', /src="cid:dot\.png@example\.org"/);
  assert.equal(m.attachments.length, 1);
  const dot = m.attachments[0]!;
  assert.equal(dot.contentId, 'dot.png@example.org');
  assert.equal(dot.related, true);
  assert.equal(dot.disposition, 'inline');
  assert.equal(dot.mimeType, 'image/png');
  assert.deepEqual(Array.from(dot.content.subarray(0, 8)), [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
});

test('RFC 2047 headers in UTF-8 (folded, several words, astral characters)', async () => {
  const m = await parseMessage(fixture('headers-rfc2047-utf-8.eml'));
  assert.equal(m.headers.subject, 'Café ☕ and 🍰 tomorrow');
  assert.equal(m.headers.from?.name, 'Zöe 😀');
  assert.equal(m.headers.date, Date.UTC(2025, 6, 9, 11, 45));
});

test('RFC 2047 headers and body in ISO-8859-1', async () => {
  const m = await parseMessage(fixture('headers-rfc2047-iso-8859-1.eml'));
  assert.equal(m.headers.subject, 'Grüße aus Köln');
  assert.deepEqual(m.headers.from, { name: 'André Müller', address: 'andre@example.de' });
  assert.deepEqual(m.headers.to, [{ name: 'Jörg', address: 'joerg@example.de' }]);
  assert.equal(m.text.trim(), 'Schöne Grüße!');
});

test('RFC 2047 headers and body in Shift_JIS', async () => {
  const m = await parseMessage(fixture('headers-rfc2047-shift-jis.eml'));
  assert.equal(m.headers.subject, '日本語のテスト');
  assert.equal(m.headers.from?.name, '山田太郎');
  assert.equal(m.text.trim(), 'こんにちは、世界');
});

test('parseHeaders decodes a header-only block and flattens groups', async () => {
  const headers = await parseHeaders(fixture('headers-only.eml'));
  assert.deepEqual(headers, {
    from: { name: 'Alice Example', address: 'alice@example.org' },
    to: [
      { name: '', address: 'bob@example.net' },
      { name: '', address: 'carol@example.net' },
    ],
    cc: [],
    replyTo: [],
    date: Date.UTC(2025, 6, 10, 16, 20),
    subject: 'Headers only ✓',
    messageId: '<headers-only-1@example.org>',
  });
});

test('parseHeaders: without the blank line, and ignoring a body that follows', async () => {
  const full = fixture('headers-rfc2047-iso-8859-1.eml');
  const text = new TextDecoder('latin1').decode(full);
  const headerOnly = text.slice(0, text.indexOf('\r\n\r\n'));
  const bytes = Uint8Array.from(headerOnly, (c) => c.charCodeAt(0));
  const a = await parseHeaders(bytes);
  const b = await parseHeaders(full);
  assert.equal(a.subject, 'Grüße aus Köln');
  assert.deepEqual(a, b);
  // LF-only line ends, as some POP3 servers and files have them
  const lf = await parseHeaders(
    new TextEncoder().encode('Subject: =?utf-8?q?LF_only?=\nFrom: a@b.example\n\nbody'),
  );
  assert.equal(lf.subject, 'LF only');
  assert.equal(lf.from?.address, 'a@b.example');
});

test('parseHeaders refuses a header block larger than its limit', async () => {
  const huge = new TextEncoder().encode(`Subject: x\r\nX-Junk: ${'a'.repeat(MAX_HEADER_BYTES)}\r\n`);
  await assert.rejects(parseHeaders(huge), (e: unknown) => e instanceof MimeError && e.code === 'malformed');
});

test('malformed: a multipart without its closing boundary keeps its text', async () => {
  const m = await parseMessage(fixture('malformed-missing-boundary.eml'));
  assert.equal(m.recoveredFrom, null);
  assert.match(m.text, /The text is still here/);
  assert.equal(m.headers.subject, 'Unterminated multipart');
  assert.equal(m.attachments.length, 1, 'the cut attachment is still listed');
});

test('malformed: broken headers, unknown charset and transfer encoding', async () => {
  const m = await parseMessage(fixture('malformed-bad-headers.eml'));
  assert.match(m.text, /Body with an unknown charset and transfer encoding survives\./);
  assert.equal(m.headers.date, null);
});

test('malformed: garbage with no header at all is shown as text', async () => {
  const m = await parseMessage(fixture('malformed-garbage.eml'));
  assert.equal(m.recoveredFrom, 'malformed');
  assert.match(m.text, /garbage without any header/);
  assert.match(m.text, /second line of garbage/);
  assert.ok(!m.text.includes('\u0000'), 'control characters dropped');
});

test('malformed: a nesting bomb postal-mime refuses still yields headers and its text', async () => {
  const m = await parseMessage(fixture('malformed-nesting-bomb.eml'));
  assert.equal(m.recoveredFrom, 'malformed');
  assert.equal(m.headers.subject, 'Nesting bomb');
  assert.equal(m.text, 'Deep inside the bomb.');
});

test('malformed: truncated at every tenth byte, parsing never throws', async () => {
  const raw = fixture('inline-cid-image.eml');
  for (let end = 0; end <= raw.length; end += 10) {
    const m = await parseMessage(raw.subarray(0, end));
    assert.equal(typeof m.text, 'string');
  }
});

test('a 5 MB message parses whole', async () => {
  const raw = fixture('large-5mb.eml');
  assert.ok(raw.length > 5_000_000);
  const m = await parseMessage(raw);
  assert.equal(m.recoveredFrom, null);
  assert.equal(m.text.trim(), 'Start of the large message.');
  assert.equal(m.html?.length, 1_320_001);
  assert.equal(m.attachments.length, 1);
  assert.equal(m.attachments[0]!.size, 251 * 12000);
  assert.equal(m.attachments[0]!.content[251 + 3], (3 * 7) % 251);
});

test('too_large above maxBytes, before any parsing', async () => {
  const raw = fixture('large-5mb.eml');
  await assert.rejects(
    parseMessage(raw, { maxBytes: 4 * 1024 * 1024 }),
    (e: unknown) => e instanceof MimeError && e.code === 'too_large',
  );
  const small = fixture('plain-text.eml');
  await assert.rejects(parseMessage(small, { maxBytes: small.length - 1 }), { code: 'too_large' });
  assert.equal((await parseMessage(small, { maxBytes: small.length })).headers.subject, 'Lunch on Friday?');
});

test('limits are validated, not defaulted: 0 means 0, NaN and fractions are refused', async () => {
  const small = fixture('plain-text.eml');
  await assert.rejects(parseMessage(small, { maxBytes: 0 }), { code: 'too_large' });
  for (const bad of [Number.NaN, -1, 1.5, Number.POSITIVE_INFINITY]) {
    await assert.rejects(parseMessage(small, { maxBytes: bad }), { code: 'invalid_input' });
  }
  await assert.rejects(parseMessage('From: a' as unknown as Uint8Array), { code: 'invalid_input' });
  await assert.rejects(parseHeaders([1, 2] as unknown as Uint8Array), { code: 'invalid_input' });
});

test('an empty input is an empty message', async () => {
  const m = await parseMessage(new Uint8Array());
  assert.deepEqual(m, {
    headers: { from: null, to: [], cc: [], replyTo: [], date: null, subject: '', messageId: null },
    text: '',
    html: null,
    attachments: [],
    recoveredFrom: null,
  });
});

test('parsing reads the message in place and leaves its bytes as they were', async () => {
  for (const name of [
    'attachments.eml',
    'multipart-alternative.eml',
    'inline-cid-image.eml',
    'html-only.eml',
  ]) {
    const raw = fixture(name);
    const before = raw.slice();
    const parsed = await parseMessage(raw);
    assert.deepEqual(raw, before, name);
    for (const a of parsed.attachments) assert.notEqual(a.content.buffer, raw.buffer, `${name}: a copy`);
  }
});

/**
 * `levels` messages nested as inline message/rfc822 parts, each level a line of text, the
 * innermost one `padding` bytes of text (so the bytes are mostly the innermost message).
 */
function nestedMessage(levels: number, padding: number): Uint8Array {
  let message = `Subject: level ${levels}\r\nContent-Type: text/plain\r\n\r\n${'x'.repeat(padding)}\r\n`;
  for (let level = levels - 1; level >= 1; level--) {
    const boundary = `b${level}`;
    message =
      `Subject: level ${level}\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="${boundary}"\r\n\r\n` +
      `--${boundary}\r\nContent-Type: text/plain\r\n\r\nText of level ${level}.\r\n` +
      `--${boundary}\r\nContent-Type: message/rfc822\r\n\r\n${message}\r\n--${boundary}--\r\n`;
  }
  return new TextEncoder().encode(message);
}

test('nested message/rfc822: the bytes parsed stay within a small multiple of the message', async (t) => {
  // Every parser postal-mime runs (the message's own and one per nested message) goes through
  // the instance method: the sum of what they were given is the parse work.
  const prototype = PostalMime.prototype as {
    parse(buf: ArrayBuffer | Uint8Array | string): Promise<unknown>;
  };
  const original = prototype.parse;
  let parsedBytes = 0;
  prototype.parse = function (this: unknown, buf) {
    parsedBytes += typeof buf === 'string' ? buf.length : buf.byteLength;
    return original.call(this, buf);
  };
  t.after(() => {
    prototype.parse = original;
  });
  const raw = nestedMessage(30, 256 * 1024);
  const m = await parseMessage(raw);
  t.diagnostic(`${parsedBytes} bytes parsed for a ${raw.byteLength}-byte message`);
  assert.ok(
    parsedBytes <= (MAX_NESTED_MESSAGE_DEPTH + 1) * raw.byteLength,
    `${parsedBytes} bytes parsed for ${raw.byteLength}: ${(parsedBytes / raw.byteLength).toFixed(1)} times`,
  );
  assert.equal(m.recoveredFrom, null);
  assert.match(m.text, /Text of level 1\./);
  // The levels below the limit are still there, as a message attachment to open.
  const nested = m.attachments.filter((a) => a.mimeType === 'message/rfc822');
  assert.equal(nested.length, 1);
  assert.ok(new TextDecoder().decode(nested[0]!.content).includes('Subject: level 30'));
});
