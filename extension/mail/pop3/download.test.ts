import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { TimeSlice } from '../mime/time-slice.ts';
import { fullDownload, headersDownload, sizeOnlyDownload } from './download.ts';

const NOW = Date.UTC(2024, 4, 1, 10);
const bytes = (text: string) => new TextEncoder().encode(text);
const fixture = (name: string) =>
  new Uint8Array(readFileSync(new URL(`../../../test/fixtures/mail/${name}`, import.meta.url)));

test('fullDownload keeps the exact source, nothing else, and a summary from the parsed message', async () => {
  const raw = fixture('attachments.eml');
  const download = await fullDownload('uid-1', 12345, raw, NOW);
  assert.equal(download.uidl, 'uid-1');
  assert.deepEqual(Object.keys(download.body!).sort(), ['complete', 'raw']);
  assert.equal(download.body?.complete, true);
  assert.equal(download.body?.raw, raw, 'the very bytes fetched');
  const s = download.summary;
  assert.equal(s.size, 12345, 'the LIST size');
  assert.equal(s.hasAttachments, true);
  assert.equal(s.seen, false);
  assert.equal(s.flagged, false);
  assert.ok(s.subject.length > 0);
  assert.ok(s.from?.address.includes('@'));
  assert.ok(Number.isFinite(s.date) && s.date !== NOW, 'the Date header');
});

test('fullDownload without a Date header dates the message by its download; without LIST size by its bytes', async () => {
  const raw = bytes('From: a@example.org\r\nSubject: undated\r\n\r\nHello there, this is the body.\r\n');
  const download = await fullDownload('u', null, raw, NOW);
  assert.equal(download.summary.date, NOW);
  assert.equal(download.summary.size, raw.byteLength);
  assert.equal(download.summary.preview, 'Hello there, this is the body.');
});

test('fullDownload of bytes that are no message still lists it, with the bytes as text', async () => {
  const raw = bytes('\u0000\u0001 this is not mail at all\r\n');
  const download = await fullDownload('u', 30, raw, NOW);
  assert.equal(download.body?.complete, true);
  assert.equal(download.body?.raw, raw);
  assert.equal(download.summary.date, NOW);
});

test('headersDownload keeps the header block as an incomplete body', async () => {
  const header = bytes(
    'From: "Ann Example" <ann@example.org>\r\nTo: me@example.org\r\nSubject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\r\n' +
      'Date: Tue, 2 Jan 2024 10:00:00 +0000\r\nMessage-ID: <big@example.org>\r\n\r\n',
  );
  const download = await headersDownload('u', 9_000_000, header, NOW);
  assert.deepEqual(download.body, { raw: header, complete: false });
  assert.equal(download.summary.subject, 'Grüße');
  assert.deepEqual(download.summary.from, { name: 'Ann Example', address: 'ann@example.org' });
  assert.equal(download.summary.date, Date.UTC(2024, 0, 2, 10));
  assert.equal(download.summary.messageId, '<big@example.org>');
  assert.equal(download.summary.size, 9_000_000);
  assert.equal(download.summary.preview, '');
});

test('headersDownload of a header block that cannot be read still lists the message', async () => {
  const header = new Uint8Array(3 * 1024 * 1024).fill(0x41);
  const download = await headersDownload('u', 5_000_000, header, NOW);
  assert.equal(download.summary.subject, '');
  assert.equal(download.summary.date, NOW);
  assert.equal(download.body?.complete, false);
});

test('sizeOnlyDownload lists a message with no body at all', () => {
  const download = sizeOnlyDownload('u', 77_000_000, NOW);
  assert.equal(download.body, null);
  assert.equal(download.summary.size, 77_000_000);
  assert.equal(download.summary.date, NOW);
});

test('fullDownload of a large message parses it in slices: a timer queued meanwhile runs before it ends', async () => {
  const line = 'The quick brown fox jumps over the lazy dog, again and again.';
  const raw = bytes(
    `From: a@example.org\r\nSubject: big\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n` +
      `--b\r\nContent-Type: text/plain\r\n\r\nHello, the log is attached.\r\n` +
      `--b\r\nContent-Type: text/plain; name="log.txt"\r\nContent-Disposition: attachment\r\n\r\n` +
      `${Array.from({ length: 40_000 }, (_, i) => `${i} ${line}`).join('\r\n')}\r\n--b--\r\n`,
  );
  let ms = 0;
  const slice = new TimeSlice({ budgetMs: 20, now: () => ++ms });
  const order: string[] = [];
  const download = fullDownload('u', null, raw, NOW, slice).then((d) => {
    order.push('parsed');
    return d;
  });
  setTimeout(() => order.push('timer'), 0);
  const { summary } = await download;
  assert.deepEqual(order, ['timer', 'parsed']);
  assert.ok(slice.turns >= 5, `${slice.turns} turns`);
  assert.equal(summary.preview, 'Hello, the log is attached.');
  assert.equal(summary.hasAttachments, true);
});
