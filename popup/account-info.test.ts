import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_ACCOUNT_COLOR, parseStoredAccounts } from './account-info.ts';

test('accounts keep their order, name, colour, protocol and watched folders', () => {
  const accounts = parseStoredAccounts([
    {
      id: 'w',
      name: 'Work',
      color: '#2a9d8f',
      email: 'me@work.example',
      protocol: 'imap',
      imap: { folders: ['INBOX', 'Lists/dev'] },
    },
    { id: 'h', name: 'Home', color: 'rebeccapurple', email: 'me@home.example', protocol: 'pop3' },
  ]);
  assert.deepEqual(accounts, [
    {
      id: 'w',
      name: 'Work',
      color: '#2a9d8f',
      email: 'me@work.example',
      protocol: 'imap',
      folders: ['INBOX', 'Lists/dev'],
    },
    {
      id: 'h',
      name: 'Home',
      color: 'rebeccapurple',
      email: 'me@home.example',
      protocol: 'pop3',
      folders: ['INBOX'],
    },
  ]);
});

test('nothing stored, or not a list, is no accounts', () => {
  assert.deepEqual(parseStoredAccounts(undefined), []);
  assert.deepEqual(parseStoredAccounts({ id: 'x' }), []);
});

test('entries without an id are skipped, duplicates kept once', () => {
  const accounts = parseStoredAccounts([{ name: 'no id' }, null, { id: 'a' }, { id: 'a', name: 'again' }]);
  assert.equal(accounts.length, 1);
  assert.equal(accounts[0]?.id, 'a');
});

test('a missing name falls back to the address, then the id', () => {
  const [a, b] = parseStoredAccounts([{ id: 'a', email: 'a@x.example' }, { id: 'b' }]);
  assert.equal(a?.name, 'a@x.example');
  assert.equal(b?.name, 'b');
});

test('a colour that is not a plain CSS colour is replaced, so it cannot inject style', () => {
  const [a, b, c] = parseStoredAccounts([
    { id: 'a', color: 'red; background: url(https://evil.example/x)' },
    { id: 'b', color: 'rgb(10, 20, 30)' },
    { id: 'c', color: 42 },
  ]);
  assert.equal(a?.color, DEFAULT_ACCOUNT_COLOR);
  assert.equal(b?.color, 'rgb(10, 20, 30)');
  assert.equal(c?.color, DEFAULT_ACCOUNT_COLOR);
});
