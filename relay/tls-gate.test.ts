import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RecordStartFinder } from './tls-gate.ts';

// A ServerHello record header (TLS 1.2 record version), then some body bytes.
const RECORD = Buffer.from('160303007a020000760303', 'hex');

function run(chunks: Buffer[]): { out: Buffer; finder: RecordStartFinder } {
  const finder = new RecordStartFinder();
  const out = Buffer.concat(chunks.map((c) => finder.push(c)));
  return { out, finder };
}

test('drops plaintext before the first record, split at every position', () => {
  const stream = Buffer.concat([Buffer.from('OK\r\nINJECTED a OK LOGIN\r\n'), RECORD]);
  for (let cut = 0; cut <= stream.length; cut++) {
    for (const second of [cut, Math.min(stream.length, cut + 1)]) {
      const { out, finder } = run([
        stream.subarray(0, cut),
        stream.subarray(cut, second),
        stream.subarray(second),
      ]);
      assert.deepEqual(out, RECORD, `cut at ${cut}/${second}`);
      assert.equal(finder.dropped, stream.length - RECORD.length);
      assert.equal(finder.found, true);
    }
  }
});

test('everything after the first record passes unchanged, even plaintext', () => {
  const later = Buffer.from('plain text after the record');
  const { out } = run([RECORD, later]);
  assert.deepEqual(out, Buffer.concat([RECORD, later]));
});

test('an alert record also opens the stream', () => {
  const alert = Buffer.from('15030300020228', 'hex');
  assert.deepEqual(run([Buffer.from('junk'), alert]).out, alert);
});

test('look-alikes are not record starts', () => {
  const { out, finder } = run([Buffer.from([0x16, 0x03, 0x05, 0x17, 0x03, 0x03, 0x16, 0x02, 0x03])]);
  assert.equal(out.length, 0);
  assert.equal(finder.found, false);
});

test('no record yet: nothing passes', () => {
  const { out, finder } = run([Buffer.from('* OK'), Buffer.from([0x16]), Buffer.from([0x03])]);
  assert.equal(out.length, 0);
  assert.equal(finder.found, false);
  assert.deepEqual(finder.push(Buffer.from([0x01, 0xaa])), Buffer.from([0x16, 0x03, 0x01, 0xaa]));
});
