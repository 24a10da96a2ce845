import assert from 'node:assert/strict';
import { test } from 'node:test';
import { constants, createDeflateRaw } from 'node:zlib';
import { NativeInflateRaw } from './inflate-raw.ts';

/** A raw DEFLATE stream of `messages`, flushed after each (as an IMAP server does), split into segments. */
async function flushedSegments(messages: string[]): Promise<Buffer[]> {
  const deflate = createDeflateRaw();
  const segments: Buffer[] = [];
  for (const message of messages) {
    const chunks: Buffer[] = [];
    const onData = (chunk: Buffer) => chunks.push(chunk);
    deflate.on('data', onData);
    deflate.write(message);
    await new Promise<void>((resolve) => deflate.flush(constants.Z_SYNC_FLUSH, () => resolve()));
    await new Promise((resolve) => setImmediate(resolve));
    deflate.off('data', onData);
    segments.push(Buffer.concat(chunks));
  }
  return segments;
}

/** Everything the stream emits until it has `length` bytes. */
function readBytes(stream: NativeInflateRaw, length: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let have = 0;
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      have += chunk.length;
      if (have >= length) {
        stream.off('data', onData);
        resolve(Buffer.concat(chunks).toString('latin1'));
      }
    };
    stream.on('data', onData);
    stream.once('error', reject);
  });
}

test('each flushed response comes out before the next is written, whatever the segment boundaries', async () => {
  const messages = [
    '* OK IMAP4rev1 ready\r\n',
    `* 1 FETCH (UID 7 ${'x'.repeat(5000)})\r\n`,
    'A1 OK done\r\n',
  ];
  const segments = await flushedSegments(messages);
  const all = Buffer.concat(segments);
  for (let cut = 1; cut < all.length; cut += 97) {
    const inflate = new NativeInflateRaw();
    const first = readBytes(inflate, messages[0]!.length);
    const firstEnd = segments[0]!.length;
    inflate.write(all.subarray(0, Math.min(cut, firstEnd)));
    if (cut < firstEnd) inflate.write(all.subarray(cut, firstEnd));
    assert.equal(await first, messages[0], `cut at ${cut}`);
    const rest = readBytes(inflate, messages[1]!.length + messages[2]!.length);
    inflate.write(all.subarray(firstEnd));
    assert.equal(await rest, messages[1]! + messages[2]!, `cut at ${cut}`);
    inflate.destroy();
  }
});

test('corrupt input is an error event, as with Node zlib', async () => {
  const inflate = new NativeInflateRaw();
  const failed = new Promise<Error>((resolve) => inflate.once('error', resolve));
  inflate.on('data', () => {});
  inflate.write(Buffer.from([0xff, 0xff, 0xff, 0xff, 0x00, 0x01]));
  assert.ok((await failed) instanceof Error);
});

test('end() of a stream the server never finished (it never does) is a quiet end', async () => {
  const [segment] = await flushedSegments(['A2 OK LOGOUT completed\r\n']);
  const inflate = new NativeInflateRaw();
  const chunks: Buffer[] = [];
  inflate.on('data', (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise((resolve) => inflate.once('end', resolve));
  inflate.end(segment);
  await ended;
  assert.equal(Buffer.concat(chunks).toString(), 'A2 OK LOGOUT completed\r\n');
});
