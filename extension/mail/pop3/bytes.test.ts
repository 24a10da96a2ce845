import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { bytesToBase64, decodeLatin1, decodeUtf8, encodeUtf8, printable } from './bytes.ts';

describe('bytes', () => {
  test('base64 (RFC 4648 §10 vectors)', () => {
    const vectors = ['', 'Zg==', 'Zm8=', 'Zm9v', 'Zm9vYg==', 'Zm9vYmE=', 'Zm9vYmFy'];
    vectors.forEach((expected, length) => {
      assert.equal(bytesToBase64(encodeUtf8('foobar'.slice(0, length))), expected);
    });
    assert.equal(bytesToBase64(Uint8Array.of(0, 0xff, 0xfe)), 'AP/+');
  });

  test('latin1 is one character per byte, for any length', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    const text = decodeLatin1(all);
    assert.equal(text.length, 256);
    assert.equal(text.charCodeAt(233), 233);
    assert.equal(decodeLatin1(new Uint8Array(20000).fill(65)), 'A'.repeat(20000));
  });

  test('UTF-8 round trip, and invalid bytes do not throw', () => {
    assert.equal(decodeUtf8(encodeUtf8('grüße ✉')), 'grüße ✉');
    assert.equal(decodeUtf8(Uint8Array.of(0x61, 0xff, 0x62)), 'a\ufffdb');
  });

  test('printable escapes control characters and cuts long text', () => {
    assert.equal(printable('a\r\n\t\x00\x7fb'), 'a\\r\\n\\t\\x00\\x7fb');
    assert.equal(printable('x'.repeat(100), 10), `${'x'.repeat(10)}…`);
  });
});
