import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AccountStatus } from '../extension/contract.ts';
import { applyEvent, INITIAL_BACKGROUND, isSyncing, overallProgress } from './background-state.ts';

function status(accountId: string, state: AccountStatus['state']): AccountStatus {
  return { accountId, state, lastSuccess: null, nextCheck: null, push: false, unread: 1 };
}

test('a status event replaces the statuses and the total and clears a background error', () => {
  const before = { ...INITIAL_BACKGROUND, error: 'no answer' };
  const after = applyEvent(before, {
    biffEvent: 'status',
    accounts: [status('a', 'idle')],
    totalUnread: 7,
    locked: false,
  });
  assert.equal(after.totalUnread, 7);
  assert.deepEqual(
    after.statuses?.map((s) => s.accountId),
    ['a'],
  );
  assert.equal(after.error, null);
});

test('sync progress is kept per account until it completes or the account stops syncing', () => {
  let s = applyEvent(INITIAL_BACKGROUND, { biffEvent: 'sync-progress', accountId: 'a', done: 2, total: 10 });
  s = applyEvent(s, { biffEvent: 'sync-progress', accountId: 'b', done: 0, total: 30 });
  assert.equal(isSyncing(s), true);
  assert.equal(overallProgress(s.progress), 2 / 40);
  s = applyEvent(s, { biffEvent: 'sync-progress', accountId: 'a', done: 10, total: 10 });
  assert.deepEqual([...s.progress.keys()], ['b']);
  s = applyEvent(s, { biffEvent: 'status', accounts: [status('b', 'idle')], totalUnread: 0, locked: false });
  assert.equal(s.progress.size, 0);
  assert.equal(isSyncing(s), false);
});

test('a syncing status counts as syncing even without progress', () => {
  const s = applyEvent(INITIAL_BACKGROUND, {
    biffEvent: 'status',
    accounts: [status('a', 'syncing')],
    totalUnread: 0,
    locked: false,
  });
  assert.equal(isSyncing(s), true);
  assert.equal(overallProgress(s.progress), null);
});

test('progress with an unknown total is not a fraction', () => {
  const s = applyEvent(INITIAL_BACKGROUND, { biffEvent: 'sync-progress', accountId: 'a', done: 3, total: 0 });
  assert.equal(isSyncing(s), true);
  assert.equal(overallProgress(s.progress), null);
});

test('messages-changed leaves the state alone', () => {
  assert.equal(
    applyEvent(INITIAL_BACKGROUND, { biffEvent: 'messages-changed', accountIds: ['a'] }),
    INITIAL_BACKGROUND,
  );
});
