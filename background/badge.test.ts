import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AccountStatus } from '../extension/contract.ts';
import { translator } from '../extension/ui/translate.ts';
import { BADGE_COLORS, badgeFor, LOCKED_BADGE } from './badge.ts';
import messages from './messages.en.json' with { type: 'json' };

const t = translator(messages);

const now = Date.UTC(2026, 10, 28, 12, 0);
const status = (accountId: string, unread: number, extra: Partial<AccountStatus> = {}): AccountStatus => ({
  accountId,
  state: 'idle',
  lastSuccess: now - 5 * 60_000,
  nextCheck: null,
  push: false,
  unread,
  ...extra,
});
const accounts = [
  { id: 'a', name: 'Work', enabled: true },
  { id: 'b', name: 'Home', enabled: true },
];
const unread = (s: AccountStatus) => s.unread;

test('sums unread across accounts and lists each in the tooltip', () => {
  const b = badgeFor(
    accounts,
    new Map([
      ['a', status('a', 3)],
      ['b', status('b', 4)],
    ]),
    unread,
    now,
    t,
  );
  assert.equal(b.text, '7');
  assert.equal(b.color, BADGE_COLORS.mail);
  assert.match(b.title, /Work: 3 unread, checked 5 min ago/);
  assert.match(b.title, /Home: 4 unread/);
});

test('nothing at zero, 99+ above 99', () => {
  assert.equal(badgeFor(accounts, new Map([['a', status('a', 0)]]), unread, now, t).text, '');
  assert.equal(badgeFor(accounts, new Map([['a', status('a', 99)]]), unread, now, t).text, '99');
  assert.equal(badgeFor(accounts, new Map([['a', status('a', 100)]]), unread, now, t).text, '99+');
});

test('a failing account shows ! in the warning colour with the reason in the tooltip', () => {
  const failing = status('b', 2, {
    state: 'error',
    error: { kind: 'auth', code: 'auth_failed', message: 'The server rejected the user name or password.' },
  });
  const b = badgeFor(
    accounts,
    new Map([
      ['a', status('a', 1)],
      ['b', failing],
    ]),
    unread,
    now,
    t,
  );
  assert.equal(b.text, '!');
  assert.equal(b.color, BADGE_COLORS.warning);
  assert.match(b.title, /cannot check Home/);
  assert.match(b.title, /rejected the user name or password/);
});

test('disabled accounts do not count', () => {
  const b = badgeFor(
    [{ id: 'a', name: 'Work', enabled: false }],
    new Map([['a', status('a', 5)]]),
    unread,
    now,
    t,
  );
  assert.equal(b.text, '');
});

test('locked: a lock in grey, over stale errors, with the cached counts in the tooltip', () => {
  const b = badgeFor(
    accounts,
    new Map([
      ['a', status('a', 3, { state: 'error', error: { kind: 'auth', code: 'auth', message: 'rejected' } })],
      ['b', status('b', 4)],
    ]),
    unread,
    now,
    t,
    true,
  );
  assert.equal(b.text, LOCKED_BADGE);
  assert.equal(b.color, BADGE_COLORS.locked);
  assert.match(b.title, /^Biff is locked — open it and enter your primary password\n/);
  assert.match(b.title, /Work: 3 unread, checked 5 min ago/);
  assert.doesNotMatch(b.title, /rejected/);
  assert.equal(badgeFor([], new Map(), unread, now, t, true).text, '', 'nothing to unlock without accounts');
});
