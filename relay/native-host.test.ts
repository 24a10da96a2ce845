import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { parseRelayOptions } from './args.ts';
import { encodeNativeMessage, MAX_REQUEST_BYTES, NativeMessageDecoder } from './native-framing.ts';
import { serveNativeHost } from './native-host.ts';

test('the host answers bad input with error replies, in order, and ends cleanly when stdin closes', async () => {
  const input = new PassThrough();
  const output = new PassThrough();
  const replies: unknown[] = [];
  const decoder = new NativeMessageDecoder();
  output.on('data', (chunk: Buffer) => {
    for (const event of decoder.push(chunk)) if (event.kind === 'message') replies.push(event.value);
  });
  const done = serveNativeHost(parseRelayOptions([]), [], input, output);
  const oversized = Buffer.alloc(4);
  oversized.writeUInt32LE(MAX_REQUEST_BYTES + 1, 0);
  const notJson = Buffer.concat([Buffer.from([5, 0, 0, 0]), Buffer.from('{"a":')]);
  const all = Buffer.concat([
    notJson,
    oversized,
    Buffer.alloc(MAX_REQUEST_BYTES + 1, 0x7b),
    encodeNativeMessage({ type: 'unpair' }),
    encodeNativeMessage([1, 2]),
  ]);
  // Split into odd pieces, as pipes deliver them.
  for (let at = 0; at < all.length; at += 7777) input.write(all.subarray(at, at + 7777));
  input.end();
  await done;
  assert.deepEqual(
    replies.map((r) => (r as { code: string }).code),
    ['bad_json', 'too_large', 'bad_request', 'bad_request'],
  );
  for (const r of replies) assert.equal((r as { ok: boolean }).ok, false);
});
