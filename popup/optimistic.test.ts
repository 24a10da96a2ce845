import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MessageRow } from '../extension/store/schema.ts';
import { applyOptimistic, settleSeen } from './optimistic.ts';

function row(id: string, seen = false): MessageRow {
  return {
    id,
    accountId: 'a',
    folder: 'INBOX',
    uid: 1,
    date: 0,
    from: null,
    to: [],
    cc: [],
    subject: id,
    preview: '',
    size: 1,
    seen,
    flagged: false,
    answered: false,
    hasAttachments: false,
    messageId: null,
    deletedLocally: false,
    bodyState: 'none',
    shownDate: 0,
    ...(seen ? {} : { unread: 1 }),
  };
}

test('with nothing pending the rows are passed through as they are', () => {
  const rows = [row('x'), row('y')];
  assert.equal(applyOptimistic(rows, new Set(), new Map()), rows);
});

test('deleted rows disappear at once, the rest keep their order', () => {
  const rows = [row('x'), row('y'), row('z')];
  assert.deepEqual(
    applyOptimistic(rows, new Set(['y']), new Map()).map((r) => r.id),
    ['x', 'z'],
  );
});

test('a read toggle shows at once, with the unread marker following it', () => {
  const rows = [row('x'), row('y', true)];
  const shown = applyOptimistic(
    rows,
    new Set(),
    new Map([
      ['x', true],
      ['y', false],
    ]),
  );
  assert.deepEqual(
    shown.map((r) => [r.seen, r.unread]),
    [
      [true, undefined],
      [false, 1],
    ],
  );
  // The cached rows are not mutated.
  assert.equal(rows[0]?.seen, false);
});

test('an override is dropped once the cache agrees, and kept while it does not', () => {
  const seen = new Map([
    ['x', true],
    ['y', true],
  ]);
  const settled = settleSeen([row('x', true), row('y', false)], seen);
  assert.deepEqual([...settled.entries()], [['y', true]]);
  // Nothing to settle: the same map comes back, so state does not churn.
  assert.equal(settleSeen([row('y', false)], settled), settled);
});
