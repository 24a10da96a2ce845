import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type AccountDraft, defaultAccount, draftFromAccount } from './account-draft.ts';
import { firstInvalid, validateDraft } from './validate-draft.ts';

function valid(): AccountDraft {
  return {
    ...draftFromAccount(defaultAccount('n1', '#2563eb'), true),
    email: 'me@example.org',
    password: 'pw',
    host: 'imap.example.org',
    username: 'me@example.org',
  };
}

const keys = (d: AccountDraft, scope: 'save' | 'test' = 'save') =>
  Object.fromEntries(Object.entries(validateDraft(d, scope)).map(([field, m]) => [field, m.key]));

test('a complete draft has no errors', () => {
  assert.deepEqual(validateDraft(valid(), 'save'), {});
  assert.deepEqual(validateDraft({ ...valid(), protocol: 'pop3', port: '995' }, 'save'), {});
});

test('a new account needs email, password, server and username', () => {
  const d = { ...valid(), email: '', password: '', host: '', username: ' ' };
  assert.deepEqual(keys(d), {
    email: 'options_errorEmailRequired',
    password: 'options_errorPasswordRequired',
    host: 'options_errorHostRequired',
    username: 'options_errorUsernameRequired',
  });
});

test('an existing account keeps its stored password when the box is empty', () => {
  assert.deepEqual(validateDraft({ ...valid(), isNew: false, password: '' }, 'save'), {});
});

test('addresses: loose, but one @ with something on both sides and no spaces', () => {
  for (const ok of ['me@example.org', 'alice@localhost', '"a@b"@example.org'])
    assert.equal(validateDraft({ ...valid(), email: ok }, 'save').email, undefined, ok);
  for (const bad of ['me', 'me@', '@example.org', 'me @example.org'])
    assert.equal(
      validateDraft({ ...valid(), email: bad }, 'save').email?.key,
      'options_errorEmailInvalid',
      bad,
    );
});

test('server names: a URL or a host:port gets a reason of its own', () => {
  assert.equal(keys({ ...valid(), host: 'imaps://mail.example.org' }).host, 'options_errorHostScheme');
  assert.equal(keys({ ...valid(), host: 'mail.example.org:993' }).host, 'options_errorHostPort');
  assert.equal(keys({ ...valid(), host: 'mail example.org' }).host, 'options_errorHostInvalid');
  for (const ok of ['localhost', '127.0.0.1', '::1', '[::1]', 'mail.bücher.de', 'mail.example.org.'])
    assert.equal(validateDraft({ ...valid(), host: ok }, 'save').host, undefined, ok);
});

test('ports are whole numbers from 1 to 65535', () => {
  for (const bad of ['', '0', '65536', '99.5', '-1', '1e3', 'abc'])
    assert.deepEqual(
      validateDraft({ ...valid(), port: bad }, 'save').port,
      {
        key: 'options_errorWholeNumber',
        args: [1, 65535],
      },
      bad,
    );
  assert.equal(validateDraft({ ...valid(), port: '65535' }, 'save').port, undefined);
});

test('check interval, sync window and colour are checked on save only', () => {
  const d = { ...valid(), checkInterval: '0', syncWindow: 'lots', color: 'red', name: 'x'.repeat(65) };
  assert.deepEqual(Object.keys(validateDraft(d, 'save')).sort(), [
    'checkInterval',
    'color',
    'name',
    'syncWindow',
  ]);
  assert.deepEqual(validateDraft(d, 'test'), {});
});

test('a connection test does not need the address, but does need what it connects with', () => {
  assert.deepEqual(Object.keys(validateDraft({ ...valid(), email: '', host: '' }, 'test')), ['host']);
});

test('IMAP needs at least one watched folder', () => {
  assert.equal(keys({ ...valid(), folders: [] }).folders, 'options_errorFoldersEmpty');
  assert.equal(keys({ ...valid(), folders: [], protocol: 'pop3' }).folders, undefined);
});

test('the days to keep are checked only when they apply', () => {
  const pop = { ...valid(), protocol: 'pop3' as const, deleteAfterDays: '0' };
  assert.equal(
    keys({ ...pop, leaveCopy: true, deleteAfter: true }).deleteAfterDays,
    'options_errorWholeNumber',
  );
  assert.equal(keys({ ...pop, leaveCopy: true, deleteAfter: false }).deleteAfterDays, undefined);
  assert.equal(keys({ ...pop, leaveCopy: false, deleteAfter: true }).deleteAfterDays, undefined);
});

test('focus goes to the first wrong field in form order', () => {
  assert.equal(firstInvalid(validateDraft({ ...valid(), port: 'x', password: '' }, 'save')), 'password');
  assert.equal(firstInvalid({}), undefined);
});
