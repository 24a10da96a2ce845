import assert from 'node:assert/strict';
import { test } from 'node:test';
import { concatBytes } from './bytes.ts';

test('concat', () => {
  assert.deepEqual(
    concatBytes([Uint8Array.of(1), new Uint8Array(0), Uint8Array.of(2, 3)]),
    Uint8Array.of(1, 2, 3),
  );
  assert.deepEqual(concatBytes([]), new Uint8Array(0));
});
