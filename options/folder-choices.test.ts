import assert from 'node:assert/strict';
import { test } from 'node:test';
import { folderChoices } from './folder-choices.ts';

test('before any test: INBOX and the watched folders', () => {
  assert.deepEqual(
    folderChoices(null, ['INBOX', 'Lists/dev']).map((f) => f.path),
    ['INBOX', 'Lists/dev'],
  );
});

test('after a test: INBOX first, the server order, then watched folders the server did not list', () => {
  const available = [
    { path: 'Archive', specialUse: '\\Archive' },
    { path: 'inbox', specialUse: null },
    { path: 'Sent', specialUse: '\\Sent' },
  ];
  assert.deepEqual(
    folderChoices(available, ['INBOX', 'Gone']).map((f) => f.path),
    ['inbox', 'Archive', 'Sent', 'Gone'],
  );
  assert.equal(folderChoices(available, [])[2]?.specialUse, '\\Sent');
});
