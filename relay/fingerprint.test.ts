import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fingerprintsEqual, normaliseFingerprint } from './fingerprint.ts';

const NODE_STYLE =
  'AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89';

test('normalises case, colons and whitespace', () => {
  const hex = NODE_STYLE.replaceAll(':', '');
  assert.equal(normaliseFingerprint(NODE_STYLE), hex);
  assert.equal(normaliseFingerprint(NODE_STYLE.toLowerCase()), hex);
  assert.equal(normaliseFingerprint(hex.toLowerCase()), hex);
  assert.equal(normaliseFingerprint(` ${NODE_STYLE.replaceAll(':', ' ')} `), hex);
});

test('rejects what is not a SHA-256 fingerprint', () => {
  assert.equal(normaliseFingerprint(''), null);
  assert.equal(normaliseFingerprint('AB:CD'), null);
  assert.equal(normaliseFingerprint(`${NODE_STYLE}:00`), null, 'too long');
  assert.equal(normaliseFingerprint(NODE_STYLE.replace('AB', 'XY')), null, 'not hex');
  // SHA-1 length
  assert.equal(normaliseFingerprint('AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01'), null);
});

test('fingerprintsEqual compares normalised forms; garbage never matches', () => {
  assert.equal(fingerprintsEqual(NODE_STYLE.toLowerCase().replaceAll(':', ''), NODE_STYLE), true);
  assert.equal(fingerprintsEqual(NODE_STYLE, NODE_STYLE.replace('AB', 'AC')), false);
  assert.equal(fingerprintsEqual('nonsense', 'nonsense'), false);
});
