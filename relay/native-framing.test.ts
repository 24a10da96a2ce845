import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  encodeNativeMessage,
  MAX_REQUEST_BYTES,
  type NativeEvent,
  NativeMessageDecoder,
} from './native-framing.ts';

function frame(text: string): Buffer {
  const body = Buffer.from(text, 'utf8');
  const header = Buffer.alloc(4);
  header.writeUInt32LE(body.length, 0);
  return Buffer.concat([header, body]);
}

function feed(decoder: NativeMessageDecoder, bytes: Buffer, at: number[]): NativeEvent[] {
  const events: NativeEvent[] = [];
  let from = 0;
  for (const cut of [...at, bytes.length]) {
    events.push(...decoder.push(bytes.subarray(from, cut)));
    from = cut;
  }
  return events;
}

test('two messages split at every position decode the same', () => {
  const bytes = Buffer.concat([frame('{"type":"pair"}'), frame('{"n":"é€"}')]);
  for (let cut = 0; cut <= bytes.length; cut++) {
    const decoder = new NativeMessageDecoder();
    assert.deepEqual(feed(decoder, bytes, [cut]), [
      { kind: 'message', value: { type: 'pair' } },
      { kind: 'message', value: { n: 'é€' } },
    ]);
    assert.ok(decoder.idle);
  }
});

test('byte by byte', () => {
  const bytes = frame('{"type":"pair"}');
  const decoder = new NativeMessageDecoder();
  const events = feed(
    decoder,
    bytes,
    Array.from({ length: bytes.length - 1 }, (_, i) => i + 1),
  );
  assert.deepEqual(events, [{ kind: 'message', value: { type: 'pair' } }]);
});

test('bad JSON is an error event and the next message still decodes', () => {
  const decoder = new NativeMessageDecoder();
  const events = decoder.push(Buffer.concat([frame('{nope'), frame('[1]')]));
  assert.equal(events.length, 2);
  assert.deepEqual(events[0], { kind: 'error', code: 'bad_json', message: 'the request is not JSON' });
  assert.deepEqual(events[1], { kind: 'message', value: [1] });
});

test('an oversized message is refused and skipped without buffering it', () => {
  const decoder = new NativeMessageDecoder();
  const header = Buffer.alloc(4);
  header.writeUInt32LE(0xffff_ffff, 0);
  const events = decoder.push(header);
  assert.equal(events.length, 1);
  assert.equal(events[0]!.kind === 'error' && events[0]!.code, 'too_large');
  assert.equal(decoder.idle, false);
  // Feed a real oversized body then a good message: the body is discarded, the message decodes.
  const small = new NativeMessageDecoder();
  const big = Buffer.alloc(MAX_REQUEST_BYTES + 1, 0x20);
  const bigHeader = Buffer.alloc(4);
  bigHeader.writeUInt32LE(big.length, 0);
  const all = Buffer.concat([bigHeader, big, frame('{"ok":1}')]);
  const got = feed(small, all, [3, 1000, 70_000]);
  assert.deepEqual(
    got.map((e) => (e.kind === 'error' ? e.code : e.value)),
    ['too_large', { ok: 1 }],
  );
  assert.ok(small.idle);
});

test('a message of exactly the limit is accepted; empty is bad JSON', () => {
  const text = `"${'a'.repeat(MAX_REQUEST_BYTES - 2)}"`;
  const events = new NativeMessageDecoder().push(frame(text));
  assert.equal(events[0]!.kind, 'message');
  const empty = new NativeMessageDecoder().push(frame(''));
  assert.equal(empty[0]!.kind === 'error' && empty[0]!.code, 'bad_json');
});

test('encode round-trips and refuses replies over 1 MiB', () => {
  const decoder = new NativeMessageDecoder();
  assert.deepEqual(decoder.push(encodeNativeMessage({ ok: true, token: 't' })), [
    { kind: 'message', value: { ok: true, token: 't' } },
  ]);
  assert.throws(() => encodeNativeMessage('x'.repeat(1024 * 1024)), RangeError);
});
