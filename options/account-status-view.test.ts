import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AccountStatus } from '../extension/contract.ts';
import { accountStatusView, needsSignInAgain } from './account-status-view.ts';

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

test('"Sign in again" is offered for an OAuth account in the auth state only', () => {
  const oauth = {
    auth: {
      method: 'oauth2',
      issuer: 'https://idp.example',
      clientId: 'c',
      tokenEndpoint: 'https://idp.example/token',
      revocationEndpoint: null,
    },
  } as const;
  const refused = {
    ...base,
    state: 'error',
    error: { kind: 'auth', message: 'Sign in again', code: 'sign_in_again' },
  } as const;
  assert.equal(needsSignInAgain(oauth, refused), true);
  // Still offered while a retry of the same account is syncing with the error kept.
  assert.equal(needsSignInAgain(oauth, { ...refused, state: 'syncing' }), true);
  assert.equal(needsSignInAgain({}, refused), false, 'a password account edits its password instead');
  assert.equal(needsSignInAgain(oauth, base), false);
  assert.equal(needsSignInAgain(oauth, undefined), false);
  const offline = {
    ...refused,
    error: { kind: 'unreachable', message: 'x', code: 'oauth_unreachable' },
  } as const;
  assert.equal(needsSignInAgain(oauth, offline), false);
});
