import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AccountStatus } from '../extension/contract.ts';
import { accountStatusView } from './account-status-view.ts';

const time = (ms: number) => `t${ms}`;
const base: AccountStatus = {
  accountId: 'a',
  state: 'idle',
  lastSuccess: 5,
  nextCheck: null,
  push: false,
  unread: 3,
};

test('idle after a check: unread count and time', () => {
  assert.deepEqual(accountStatusView(base, true, time), {
    tone: 'ok',
    message: { key: 'options_statusOk', args: [3, 't5'] },
  });
});

test('errors show the background message, even while a retry is syncing', () => {
  const error = { kind: 'auth', message: 'Wrong password', code: 'auth_failed' } as const;
  for (const state of ['error', 'syncing'] as const) {
    const view = accountStatusView({ ...base, state: 'error', error }, true, time);
    assert.deepEqual(view.message, { key: 'options_statusError', args: ['Wrong password'] }, state);
  }
});

test('syncing, never checked, unknown and disabled', () => {
  assert.equal(
    accountStatusView({ ...base, state: 'syncing' }, true, time).message.key,
    'options_statusSyncing',
  );
  assert.equal(
    accountStatusView({ ...base, lastSuccess: null }, true, time).message.key,
    'options_statusUnknown',
  );
  assert.equal(accountStatusView(undefined, true, time).message.key, 'options_statusUnknown');
  assert.equal(accountStatusView(base, false, time).message.key, 'options_statusDisabled');
});
