import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatSize } from './format-size.ts';

test('bytes below a kilobyte are shown as bytes', () => {
  assert.equal(formatSize(0, 'en'), '0 B');
  assert.equal(formatSize(999, 'en'), '999 B');
});

test('larger sizes use decimal units, one decimal only below ten', () => {
  assert.equal(formatSize(1000, 'en'), '1 kB');
  assert.equal(formatSize(1250, 'en'), '1.3 kB');
  assert.equal(formatSize(245_000, 'en'), '245 kB');
  assert.equal(formatSize(4_500_000, 'en'), '4.5 MB');
  assert.equal(formatSize(12_000_000_000, 'en'), '12 GB');
});

test('rounding up to the next unit moves to that unit', () => {
  assert.equal(formatSize(999_960, 'en'), '1 MB');
});

test('the locale decides the decimal separator', () => {
  assert.equal(formatSize(1250, 'de'), '1,3 kB');
});

test('nonsense sizes show nothing rather than NaN', () => {
  assert.equal(formatSize(Number.NaN, 'en'), '');
  assert.equal(formatSize(-1, 'en'), '');
});
