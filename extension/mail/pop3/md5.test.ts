import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { md5, md5Hex } from './md5.ts';

describe('md5', () => {
  test('RFC 1321 §A.5 test suite', () => {
    const vectors: Array<[string, string]> = [
      ['', 'd41d8cd98f00b204e9800998ecf8427e'],
      ['a', '0cc175b9c0f1b6a831c399e269772661'],
      ['abc', '900150983cd24fb0d6963f7d28e17f72'],
      ['message digest', 'f96b697d7cb7938d525a2f31aaf161d0'],
      ['abcdefghijklmnopqrstuvwxyz', 'c3fcd3d76192e4007dfb496cca67e13b'],
      ['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', 'd174ab98d277d9f5a5611c2c9f419d9f'],
      [
        '12345678901234567890123456789012345678901234567890123456789012345678901234567890',
        '57edf4a22be3c955ac49da2e2107b67a',
      ],
    ];
    for (const [input, digest] of vectors) assert.equal(md5Hex(input), digest, JSON.stringify(input));
  });

  test('lengths around the padding and block boundaries', () => {
    // Reference digests from coreutils md5sum of n × "x".
    const vectors: Array<[number, string]> = [
      [55, '04364420e25c512fd958a70738aa8f72'],
      [56, '668a72d5ba17f08e62dabcafad6db14b'],
      [63, '7dc2ca208106a2f703567bdff99d8981'],
      [64, 'c1bb4f81d892b2d57947682aeb252456'],
      [65, '1bc932052302d074bdec39795fe00cf6'],
      [119, 'ab347a5f68c8a443cfcddc633f12c24f'],
      [120, 'fb98667f98096de92620b64f46e1c5b5'],
      [128, 'd69cb61a6ee87200676eb0d4b90edbcb'],
      [1000, '398533d48111e9f664b1f64cb10c4b63'],
    ];
    for (const [n, digest] of vectors) assert.equal(md5Hex('x'.repeat(n)), digest, `${n} bytes`);
  });

  test('strings are hashed as UTF-8', () => {
    assert.equal(md5Hex('pässwörd'), '12841e4ba5e37d2fbfc78458c6714ade');
  });

  test('RFC 1939 §7 APOP example', () => {
    assert.equal(md5Hex('<1896.697170952@dbc.mtview.ca.us>tanstaaf'), 'c4c9334bac560ecc979e58001b3e22fb');
  });

  test('returns 16 raw bytes and leaves the input alone', () => {
    const input = new TextEncoder().encode('abc');
    const digest = md5(input);
    assert.equal(digest.length, 16);
    assert.equal(digest[0], 0x90);
    assert.equal(digest[15], 0x72);
    assert.deepEqual([...input], [0x61, 0x62, 0x63]);
  });
});
