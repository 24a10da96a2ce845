import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PendingOp } from '../../store/pending-repo.ts';
import type { PendingKind } from '../../store/schema.ts';
import { MAX_UIDS_PER_COMMAND, toRuns } from './replay.ts';

let nextId = 1;
const op = (folder: string, kind: PendingKind, uid: number): PendingOp => ({
  id: nextId++,
  accountId: 'a',
  folder,
  uid,
  kind,
  createdAt: 0,
  attempts: 0,
  lastError: null,
});

test('consecutive actions of one kind in one folder become one run, in queue order', () => {
  const ops = [
    op('INBOX', 'seen', 1),
    op('INBOX', 'seen', 2),
    op('INBOX', 'delete', 3),
    op('Work', 'delete', 4),
    op('INBOX', 'seen', 5),
    op('INBOX', 'seen', 6),
  ];
  assert.deepEqual(
    toRuns(ops).map((r) => [r.folder, r.kind, r.ops.map((o) => o.uid)]),
    [
      ['INBOX', 'seen', [1, 2]],
      ['INBOX', 'delete', [3]],
      ['Work', 'delete', [4]],
      ['INBOX', 'seen', [5, 6]],
    ],
  );
});

test('a run never exceeds MAX_UIDS_PER_COMMAND', () => {
  const ops = Array.from({ length: MAX_UIDS_PER_COMMAND * 2 + 1 }, (_, i) => op('INBOX', 'flag', i + 1));
  assert.deepEqual(
    toRuns(ops).map((r) => r.ops.length),
    [MAX_UIDS_PER_COMMAND, MAX_UIDS_PER_COMMAND, 1],
  );
});
