import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { packSource } from '../../store/body-source.ts';
import { parseMessage } from './parse.ts';
import { readableBody } from './readable-body.ts';
import { TimeSlice } from './time-slice.ts';

const FIXTURES = new URL('../../../test/fixtures/mail/', import.meta.url);
const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(name, FIXTURES)));

test('a stored source is parsed: text, HTML and the parts with their bytes', async () => {
  const raw = fixture('attachments.eml');
  const body = await readableBody({ raw, complete: true });
  const parsed = await parseMessage(raw);
  assert.equal(body.complete, true);
  assert.equal(body.text, parsed.text);
  assert.equal(body.html, parsed.html);
  assert.ok(body.attachments.length > 0);
  assert.deepEqual(
    body.attachments.map((a) => [a.filename, a.mimeType, a.size, a.contentId, a.disposition]),
    parsed.attachments.map((a) => [a.filename, a.mimeType, a.size, a.contentId, a.disposition]),
  );
  assert.ok(body.attachments.every((a) => a.data instanceof Uint8Array && a.data.byteLength === a.size));
});

test('the Date header is when the message was sent; none, or an unreadable one, gives null', async () => {
  const source = (date: string) =>
    new TextEncoder().encode(`From: a@example.org\r\n${date}Subject: s\r\n\r\nbody\r\n`);
  const dated = await readableBody({
    raw: source('Date: Tue, 03 Mar 2026 09:15:00 +0100\r\n'),
    complete: true,
  });
  assert.equal(dated.sent, Date.UTC(2026, 2, 3, 8, 15));
  assert.equal((await readableBody({ raw: source(''), complete: true })).sent, null);
  assert.equal((await readableBody({ raw: source('Date: someday\r\n'), complete: true })).sent, null);
});

test('an HTML message with an inline image keeps the Content-ID the reader resolves', async () => {
  const body = await readableBody({ raw: fixture('inline-cid-image.eml'), complete: true });
  assert.ok(body.html?.includes('cid:'));
  assert.ok(body.attachments.some((a) => a.contentId !== null && a.data !== null));
});

test('a header block alone (POP3 headers-first) has nothing to show yet', async () => {
  const raw = new TextEncoder().encode('From: a@example.org\r\nSubject: big\r\n\r\n');
  assert.deepEqual(await readableBody({ raw, complete: false }), {
    complete: false,
    text: null,
    html: null,
    attachments: [],
    sent: null,
  });
});

test('a row of the older shape shows the parts it holds, not a new parse', async () => {
  const part = {
    filename: 'a.txt',
    mimeType: 'text/plain',
    size: 1,
    contentId: null,
    disposition: 'attachment' as const,
    data: new Uint8Array([0x61]),
  };
  const raw = new TextEncoder().encode('Subject: x\r\n\r\nfrom the source\r\n');
  const body = await readableBody({
    raw,
    complete: true,
    text: 'stored text',
    html: null,
    attachments: [part],
  });
  assert.deepEqual(body, {
    complete: true,
    text: 'stored text',
    html: null,
    attachments: [part],
    sent: null,
  });
});

test('bytes that are no message still read as text', async () => {
  const raw = new TextEncoder().encode('\u0000\u0001 this is not mail at all\r\n');
  const body = await readableBody({ raw, complete: true });
  assert.match(body.text ?? '', /this is not mail at all/);
});

test('a large stored source is parsed for the reader in slices: a timer queued meanwhile runs before it ends', async () => {
  const line = 'The quick brown fox jumps over the lazy dog, again and again.';
  const inner = `Subject: inner\r\nContent-Type: text/html\r\n\r\n${Array.from({ length: 10_000 }, (_, i) => `<p>${i} ${line}</p>`).join('\r\n')}\r\n`;
  const raw = new TextEncoder().encode(
    `Subject: outer\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n` +
      `--b\r\nContent-Type: text/plain\r\n\r\nSee below.\r\n--b\r\nContent-Type: message/rfc822\r\n\r\n${inner}\r\n--b--\r\n`,
  );
  const stored = await packSource(raw);
  assert.equal(stored.rawEncoding, 'deflate-raw');
  let ms = 0;
  const slice = new TimeSlice({ budgetMs: 20, now: () => ++ms });
  const order: string[] = [];
  const body = readableBody({ ...stored, complete: true }, slice).then((b) => {
    order.push('parsed');
    return b;
  });
  setTimeout(() => order.push('timer'), 0);
  const read = await body;
  assert.deepEqual(order, ['timer', 'parsed']);
  assert.ok(slice.turns >= 5, `${slice.turns} turns`);
  const parsed = await parseMessage(raw);
  assert.equal(read.text, parsed.text);
  assert.equal(read.html, parsed.html);
});
