import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chunksNewestFirst, toSequenceSet } from './uid-set.ts';

test('toSequenceSet compacts runs, sorts and drops duplicates', () => {
  assert.equal(toSequenceSet([]), '');
  assert.equal(toSequenceSet([5]), '5');
  assert.equal(toSequenceSet([3, 1, 2, 2, 7, 9, 10]), '1:3,7,9:10');
  assert.equal(toSequenceSet(new Set([4294967295, 4294967294])), '4294967294:4294967295');
});

test('chunksNewestFirst puts the highest UIDs in the first chunk', () => {
  assert.deepEqual(chunksNewestFirst([1, 2, 3, 4, 5], 2), [[5, 4], [3, 2], [1]]);
  assert.deepEqual(chunksNewestFirst([], 3), []);
  assert.throws(() => chunksNewestFirst([1], 0), RangeError);
});
