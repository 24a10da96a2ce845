import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AccountErrorKind, AccountStatus } from '../extension/contract.ts';
import { type BannerInput, bannersFor } from './banners.ts';

const ok: BannerInput = {
  accounts: [{ id: 'a' }, { id: 'b' }],
  statuses: [status('a'), status('b')],
  relay: { ok: true, message: 'ok' },
  online: true,
  backgroundError: null,
  cacheError: null,
  locked: false,
};

function status(accountId: string, kind?: AccountErrorKind, code = 'x'): AccountStatus {
  return {
    accountId,
    state: kind ? 'error' : 'idle',
    ...(kind ? { error: { kind, code, message: `${kind} failed` } } : {}),
    lastSuccess: null,
    nextCheck: null,
    push: false,
    unread: 0,
  };
}

const kinds = (input: BannerInput) => bannersFor(input).map((b) => b.kind);

test('all well: no banners', () => {
  assert.deepEqual(bannersFor(ok), []);
});

test('no accounts, from storage or from the background, shows only that', () => {
  assert.deepEqual(kinds({ ...ok, accounts: [], statuses: null }), ['no-accounts']);
  assert.deepEqual(kinds({ ...ok, accounts: null, statuses: [] }), ['no-accounts']);
  assert.deepEqual(kinds({ ...ok, accounts: [], statuses: [], online: false, backgroundError: 'down' }), [
    'no-accounts',
  ]);
  // Storage says none but the background knows one: accounts exist.
  assert.deepEqual(kinds({ ...ok, accounts: [], statuses: [status('a')] }), []);
  // Nothing known yet: no verdict.
  assert.deepEqual(kinds({ ...ok, accounts: null, statuses: null }), []);
});

test('the relay not running is one banner, whether the relay status or an account says so', () => {
  assert.deepEqual(bannersFor({ ...ok, relay: { ok: false, code: 'relay_unreachable', message: 'x' } }), [
    { kind: 'relay-unreachable' },
  ]);
  assert.deepEqual(
    kinds({ ...ok, statuses: [status('a', 'relay', 'relay_unreachable'), status('b', 'relay')] }),
    ['relay-unreachable'],
  );
});

test('a relay that refuses us is told apart from one that is not running', () => {
  assert.deepEqual(
    bannersFor({ ...ok, relay: { ok: false, code: 'relay_outdated', message: 'needs 0.2.0' } }),
    [{ kind: 'relay-outdated', detail: 'needs 0.2.0' }],
  );
  assert.deepEqual(bannersFor({ ...ok, relay: { ok: false, code: 'relay_refused', message: 'bad token' } }), [
    { kind: 'relay-refused', detail: 'bad token' },
  ]);
  assert.deepEqual(kinds({ ...ok, relay: null, statuses: [status('a', 'relay', 'relay_refused')] }), [
    'relay-refused',
  ]);
});

test('a relay not paired yet sends the user to the settings, not to start the relay', () => {
  assert.deepEqual(
    bannersFor({ ...ok, relay: { ok: false, code: 'relay_unpaired', message: 'not paired yet' } }),
    [{ kind: 'relay-refused', detail: 'not paired yet' }],
  );
});

test('authentication and certificate problems name their accounts', () => {
  assert.deepEqual(bannersFor({ ...ok, statuses: [status('a', 'auth'), status('b', 'certificate')] }), [
    { kind: 'auth', accountIds: ['a'] },
    { kind: 'certificate', accountIds: ['b'] },
  ]);
  assert.deepEqual(bannersFor({ ...ok, statuses: [status('a', 'auth'), status('b', 'auth')] }), [
    { kind: 'auth', accountIds: ['a', 'b'] },
  ]);
});

test('offline explains network failures, so they are not shown again; sign-in problems still are', () => {
  assert.deepEqual(
    kinds({
      ...ok,
      online: false,
      relay: { ok: false, code: 'relay_unreachable', message: 'x' },
      statuses: [status('a', 'timeout'), status('b', 'auth')],
    }),
    ['offline', 'auth'],
  );
  assert.deepEqual(kinds({ ...ok, statuses: [status('a', 'timeout'), status('b', 'unreachable')] }), [
    'server-unreachable',
  ]);
});

test('protocol and storage errors are shown per account with their message', () => {
  assert.deepEqual(bannersFor({ ...ok, statuses: [status('a', 'protocol'), status('b', 'storage')] }), [
    { kind: 'account-error', accountId: 'a', detail: 'protocol failed' },
    { kind: 'account-error', accountId: 'b', detail: 'storage failed' },
  ]);
});

test('an error kept while a retry is syncing still shows', () => {
  const retrying: AccountStatus = { ...status('a', 'auth'), state: 'syncing' };
  assert.deepEqual(kinds({ ...ok, statuses: [retrying] }), ['auth']);
});

test('statuses of accounts that were removed meanwhile are ignored', () => {
  assert.deepEqual(
    kinds({ ...ok, accounts: [{ id: 'b' }], statuses: [status('a', 'auth'), status('b')] }),
    [],
  );
});

test('a background or cache that does not answer comes first', () => {
  assert.deepEqual(kinds({ ...ok, backgroundError: 'no answer', cacheError: 'blocked', statuses: null }), [
    'cache-unavailable',
    'background-down',
  ]);
});

test('locked: one unlock banner instead of the accounts’ stale errors and the sealed relay’s', () => {
  const errors = [status('a', 'auth'), status('b', 'relay', 'relay_refused')];
  const relay = { ok: false, code: 'locked', message: 'Biff is locked' };
  assert.deepEqual(kinds({ ...ok, statuses: errors, relay, locked: true }), ['locked']);
  assert.deepEqual(kinds({ ...ok, locked: true, online: false }), ['offline', 'locked']);
  assert.deepEqual(kinds({ ...ok, accounts: [], statuses: [], locked: true }), ['no-accounts']);
});
