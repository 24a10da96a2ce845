import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseCapabilities } from './capabilities.ts';

describe('parseCapabilities', () => {
  test('RFC 2449 §5 example, plus the extensions we use', () => {
    const lines = [
      'TOP',
      'USER',
      'SASL CRAM-MD5 KERBEROS_V4 plain',
      'RESP-CODES',
      'LOGIN-DELAY 900',
      'PIPELINING',
      'EXPIRE 60',
      'UIDL',
      'IMPLEMENTATION Shlemazle-Plotz-v302',
      'STLS',
      'UTF8 USER',
      'AUTH-RESP-CODE',
    ];
    assert.deepEqual(parseCapabilities(lines), {
      lines,
      pipelining: true,
      uidl: true,
      top: true,
      user: true,
      stls: true,
      utf8: true,
      respCodes: true,
      authRespCode: true,
      sasl: ['CRAM-MD5', 'KERBEROS_V4', 'PLAIN'],
      loginDelay: 900,
      expire: 60,
      implementation: 'Shlemazle-Plotz-v302',
    });
  });

  test('a minimal server, and case-insensitive tags', () => {
    const caps = parseCapabilities(['uidl', 'expire never', 'Login-Delay soon']);
    assert.equal(caps.uidl, true);
    assert.equal(caps.pipelining, false);
    assert.equal(caps.stls, false);
    assert.deepEqual(caps.sasl, []);
    assert.equal(caps.expire, 'never');
    assert.equal(caps.loginDelay, null);
    assert.equal(caps.implementation, null);
  });

  test('EXPIRE 0 (retrieved messages are deleted) and per-user values', () => {
    assert.equal(parseCapabilities(['EXPIRE 0']).expire, 0);
    assert.equal(parseCapabilities(['EXPIRE 30 USER']).expire, 30);
    assert.equal(parseCapabilities([]).expire, null);
  });
});
