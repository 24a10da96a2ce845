import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { base64Url, challengeS256, newState, newVerifier, sameState } from './pkce.ts';

describe('PKCE and state', () => {
  test('S256 challenge of the RFC 7636 Appendix B verifier', async () => {
    assert.equal(
      await challengeS256('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk'),
      'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    );
  });

  test('verifiers are 43 unreserved characters and differ every time', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 100; i++) {
      const verifier = newVerifier();
      assert.match(verifier, /^[A-Za-z0-9\-._~]{43}$/);
      seen.add(verifier);
    }
    assert.equal(seen.size, 100);
  });

  test('a verifier outside RFC 7636 §4.1 is refused', async () => {
    await assert.rejects(challengeS256('short'), RangeError);
    await assert.rejects(challengeS256(`${'a'.repeat(43)} `), RangeError);
    await assert.rejects(challengeS256('a'.repeat(129)), RangeError);
    assert.equal((await challengeS256('a'.repeat(128))).length, 43);
  });

  test('state: 22 base64url characters, unique, compared exactly', () => {
    const a = newState();
    const b = newState();
    assert.match(a, /^[A-Za-z0-9_-]{22}$/);
    assert.notEqual(a, b);
    assert.equal(sameState(a, a), true);
    assert.equal(sameState(a, b), false);
    assert.equal(sameState(a, null), false);
    assert.equal(sameState(a, a.slice(1)), false);
    assert.equal(sameState(a, `${a}x`), false);
  });

  test('base64url has no padding and URL-safe characters', () => {
    assert.equal(base64Url(new Uint8Array([0xfb, 0xff])), '-_8');
    assert.equal(base64Url(new Uint8Array([])), '');
  });
});
