import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Account } from '../extension/accounts.ts';
import {
  type AccountDraft,
  applyCandidate,
  DEFAULT_DELETE_AFTER_DAYS,
  defaultAccount,
  draftFromAccount,
  draftToAccount,
  hasSignIn,
  passwordToSend,
  signInToSend,
  withEmail,
  withServerChange,
  withSignInMethod,
} from './account-draft.ts';
import { validateDraft } from './validate-draft.ts';

function stored(): Account {
  return {
    ...defaultAccount('a1', '#2563eb'),
    name: 'Work',
    email: 'me@example.org',
    protocol: 'pop3',
    host: 'pop.example.org',
    port: 995,
    security: 'implicit',
    username: 'me',
    pin: 'AA:BB',
    checkIntervalMinutes: 10,
    notify: false,
    enabled: false,
    pop3: { leaveCopy: true, deleteAfterDays: 30, deleteWhenDeletedHere: true, headersOnlyAboveBytes: 12345 },
  };
}

const fresh = (): AccountDraft => draftFromAccount(defaultAccount('n1', '#059669'), true);

test('a stored account survives draft and back unchanged', () => {
  const account = stored();
  assert.deepEqual(draftToAccount(draftFromAccount(account, false)), account);
});

test('fields the page does not edit are carried through', () => {
  const account = stored();
  account.imap = { ...account.imap, deleteToTrash: false, useQresync: false };
  const back = draftToAccount({ ...draftFromAccount(account, false), name: 'Home' });
  assert.equal(back.imap.deleteToTrash, false);
  assert.equal(back.imap.useQresync, false);
  assert.equal(back.pop3.headersOnlyAboveBytes, 12345);
  assert.equal(back.name, 'Home');
});

test('a new draft starts from the defaults: IMAP over TLS on 993, INBOX watched, leave a copy on', () => {
  const d = fresh();
  assert.equal(d.protocol, 'imap');
  assert.equal(d.port, '993');
  assert.equal(d.security, 'implicit');
  assert.deepEqual(d.folders, ['INBOX']);
  assert.equal(d.leaveCopy, true);
  assert.equal(d.deleteAfter, false);
  assert.equal(d.deleteAfterDays, String(DEFAULT_DELETE_AFTER_DAYS));
  assert.equal(d.serverEdited, false);
});

test('typed values are trimmed and converted; a blank name becomes the address', () => {
  const d: AccountDraft = {
    ...fresh(),
    email: ' me@example.org ',
    host: ' Mail.Example.ORG ',
    port: ' 1993 ',
    username: ' me ',
    name: '  ',
    color: '#ABCDEF',
    checkInterval: '15',
    syncWindow: '200',
  };
  const a = draftToAccount(d);
  assert.equal(a.email, 'me@example.org');
  assert.equal(a.host, 'mail.example.org');
  assert.equal(a.port, 1993);
  assert.equal(a.username, 'me');
  assert.equal(a.name, 'me@example.org');
  assert.equal(a.color, '#abcdef');
  assert.equal(a.checkIntervalMinutes, 15);
  assert.equal(a.imap.syncWindow, 200);
});

test('"Remove from the server after N days" unticked stores null, ticked stores the days', () => {
  const base = { ...draftFromAccount(stored(), false), deleteAfterDays: '7' };
  assert.equal(draftToAccount({ ...base, deleteAfter: false }).pop3.deleteAfterDays, null);
  assert.equal(draftToAccount({ ...base, deleteAfter: true }).pop3.deleteAfterDays, 7);
});

test('clearing the pin removes the field rather than storing undefined', () => {
  const a = draftToAccount({ ...draftFromAccount(stored(), false), pin: undefined });
  assert.equal('pin' in a, false);
});

test('the password is only sent when typed', () => {
  assert.equal(passwordToSend(draftFromAccount(stored(), false)), undefined);
  assert.equal(passwordToSend({ ...fresh(), password: 's3cret ' }), 's3cret ');
});

test('the port follows protocol and security while it is the standard one', () => {
  let d = fresh();
  d = withServerChange(d, { protocol: 'pop3' });
  assert.equal(d.port, '995');
  d = withServerChange(d, { security: 'starttls' });
  assert.equal(d.port, '110');
  d = withServerChange(d, { protocol: 'imap' });
  assert.equal(d.port, '143');
  d = withServerChange(d, { security: 'none' });
  assert.equal(d.port, '143');
  assert.equal(d.serverEdited, true);
});

test('a port the user chose stays when protocol or security change', () => {
  let d = withServerChange(fresh(), { port: '1993' });
  d = withServerChange(d, { protocol: 'pop3', security: 'starttls' });
  assert.equal(d.port, '1993');
});

test('changing host or port drops the trusted certificate; other changes keep it', () => {
  const d = draftFromAccount(stored(), false);
  assert.equal(withServerChange(d, { security: 'implicit' }).pin, 'AA:BB');
  assert.equal(withServerChange(d, { host: 'POP.example.org' }).pin, 'AA:BB');
  assert.equal(withServerChange(d, { host: 'other.example.org' }).pin, undefined);
  assert.equal(withServerChange(d, { port: '1995' }).pin, undefined);
});

test('a guess fills the server settings and the username, without counting as a user edit', () => {
  const d = applyCandidate(withEmail(fresh(), 'emily@icloud.com'), {
    protocol: 'imap',
    host: 'imap.mail.me.com',
    port: 993,
    security: 'implicit',
  });
  assert.equal(d.host, 'imap.mail.me.com');
  assert.equal(d.port, '993');
  assert.equal(d.username, 'emily');
  assert.equal(d.serverEdited, false);
});

test('a guess leaves a username the user typed', () => {
  const d = applyCandidate(
    { ...withEmail(fresh(), 'me@gmail.com'), username: 'other', usernameEdited: true },
    { protocol: 'pop3', host: 'pop.gmail.com', port: 995, security: 'implicit' },
  );
  assert.equal(d.username, 'other');
  assert.equal(d.protocol, 'pop3');
});

test('the username follows the address until edited', () => {
  let d = withEmail(fresh(), 'me@example.org');
  assert.equal(d.username, 'me@example.org');
  d = { ...d, username: 'custom', usernameEdited: true };
  assert.equal(withEmail(d, 'you@example.org').username, 'custom');
});

const MICROSOFT = 'https://login.microsoftonline.com/common/v2.0';
const GOOGLE = 'https://accounts.google.com';
const SIGNED_IN = {
  signInId: 's1',
  auth: {
    method: 'oauth2' as const,
    issuer: MICROSOFT,
    clientId: 'cid',
    tokenEndpoint: 'https://login.microsoftonline.com/common/oauth2/v2.0/token',
    revocationEndpoint: null,
  },
  signedInAs: 'me@outlook.com',
};

test('address-based setup: OAuth 2.0 for Outlook.com, offered first for Gmail, password elsewhere', () => {
  const fresh = () => draftFromAccount(defaultAccount('n1', '#2563eb'), true);
  const outlook = withEmail(fresh(), 'me@hotmail.com');
  assert.equal(outlook.signInMethod, 'oauth2');
  assert.equal(outlook.issuer, MICROSOFT);
  const gmail = withEmail(fresh(), 'me@gmail.com');
  assert.equal(gmail.signInMethod, 'oauth2');
  assert.equal(gmail.issuer, GOOGLE);
  assert.equal(withEmail(fresh(), 'me@example.org').signInMethod, 'password');
  // An existing account keeps its method when its address is edited.
  assert.equal(withEmail(draftFromAccount(stored(), false), 'me@outlook.com').signInMethod, 'password');
  // Back to Password, and OAuth again: the issuer stays as it was.
  const back = withSignInMethod(withSignInMethod(gmail, 'password'), 'oauth2');
  assert.equal(back.issuer, GOOGLE);
});

test('an OAuth draft needs a sign-in; the account carries the signed-in server, never a password', () => {
  const draft = withEmail(draftFromAccount(defaultAccount('n1', '#2563eb'), true), 'me@outlook.com');
  const filled = { ...draft, host: 'outlook.office365.com', username: 'me@outlook.com' };
  assert.equal(hasSignIn(filled), false);
  assert.deepEqual(validateDraft(filled, 'save').signIn, { key: 'options_errorSignInRequired' });
  assert.equal(validateDraft(filled, 'save').password, undefined, 'no password asked for');
  const signed = { ...filled, signIn: SIGNED_IN };
  assert.equal(hasSignIn(signed), true);
  assert.equal(validateDraft(signed, 'save').signIn, undefined);
  assert.deepEqual(draftToAccount(signed).auth, SIGNED_IN.auth);
  assert.equal(signInToSend(signed), 's1');
  assert.equal(passwordToSend(signed), undefined);
  // A saved OAuth account edits without signing in again, and keeps its sign-in.
  const saved = draftFromAccount(draftToAccount(signed), false);
  assert.equal(saved.signInMethod, 'oauth2');
  assert.equal(validateDraft(saved, 'save').signIn, undefined);
  assert.deepEqual(draftToAccount(saved).auth, SIGNED_IN.auth);
  assert.equal(signInToSend(saved), undefined);
  // Switched to Password, the account loses its OAuth sign-in.
  assert.equal(draftToAccount(withSignInMethod(saved, 'password')).auth, undefined);
});
