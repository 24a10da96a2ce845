import assert from 'node:assert/strict';
import { test } from 'node:test';
import { moveItem } from './reorder.ts';

test('moves up and down', () => {
  assert.deepEqual(moveItem(['a', 'b', 'c'], 2, -1), ['a', 'c', 'b']);
  assert.deepEqual(moveItem(['a', 'b', 'c'], 0, 1), ['b', 'a', 'c']);
  assert.deepEqual(moveItem(['a', 'b', 'c'], 0, 2), ['b', 'c', 'a']);
});

test('returns the same array when the item cannot move', () => {
  const list = ['a', 'b'];
  assert.equal(moveItem(list, 0, -1), list);
  assert.equal(moveItem(list, 1, 1), list);
  assert.equal(moveItem(list, 5, -1), list);
  assert.equal(moveItem(list, 0, 0), list);
});
