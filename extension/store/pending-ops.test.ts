import assert from 'node:assert/strict';
import { test } from 'node:test';
import { familyOf, overlay, supersedes } from './pending-ops.ts';
import type { PendingKind } from './schema.ts';

const KINDS: PendingKind[] = ['seen', 'unseen', 'flag', 'unflag', 'delete'];

test('families pair opposite flag actions', () => {
  assert.deepEqual(KINDS.map(familyOf), ['seen', 'seen', 'flag', 'flag', 'delete']);
});

test('supersedes: same family replaces; a delete replaces only an earlier delete', () => {
  const table = KINDS.map((incoming) => KINDS.filter((queued) => supersedes(incoming, queued)));
  assert.deepEqual(table, [
    ['seen', 'unseen'],
    ['seen', 'unseen'],
    ['flag', 'unflag'],
    ['flag', 'unflag'],
    ['delete'],
  ]);
});

test('overlay applies queued actions in order', () => {
  const row = { seen: false, flagged: false, deletedLocally: false, subject: 'kept' };
  assert.deepEqual(overlay(row, ['seen', 'flag', 'unseen']), { ...row, flagged: true });
  assert.deepEqual(overlay(row, ['delete']), { ...row, deletedLocally: true });
  assert.equal(overlay(row, []), row);
});
