import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  candidatesFor,
  dedupeCandidates,
  normaliseDomain,
  providerForEmail,
  splitAddress,
  standardPort,
  usernameFor,
} from './guess.ts';

const short = (email: string) =>
  candidatesFor(email).map((c) => `${c.protocol} ${c.host}:${c.port} ${c.security} ${c.source}`);

test('a known provider gives its table entries only, IMAP before POP3', () => {
  assert.deepEqual(short('someone@gmail.com'), [
    'imap imap.gmail.com:993 implicit table',
    'pop3 pop.gmail.com:995 implicit table',
  ]);
  assert.deepEqual(short('a.b@hotmail.co.uk'), [
    'imap outlook.office365.com:993 implicit table',
    'pop3 outlook.office365.com:995 implicit table',
  ]);
});

test('iCloud offers IMAP only', () => {
  assert.deepEqual(short('x@me.com'), ['imap imap.mail.me.com:993 implicit table']);
  assert.deepEqual(short('x@mac.com'), ['imap imap.mail.me.com:993 implicit table']);
});

test('domain case, surrounding spaces and a trailing dot do not hide a table hit', () => {
  assert.deepEqual(short('  Someone@GMail.COM. '), short('someone@gmail.com'));
});

test('an unknown domain gets conventional names: implicit TLS first, then STARTTLS; IMAP first in each', () => {
  assert.deepEqual(short('me@example.org'), [
    'imap imap.example.org:993 implicit guess',
    'imap mail.example.org:993 implicit guess',
    'pop3 pop.example.org:995 implicit guess',
    'pop3 pop3.example.org:995 implicit guess',
    'pop3 mail.example.org:995 implicit guess',
    'imap imap.example.org:143 starttls guess',
    'imap mail.example.org:143 starttls guess',
    'pop3 pop.example.org:110 starttls guess',
    'pop3 pop3.example.org:110 starttls guess',
    'pop3 mail.example.org:110 starttls guess',
  ]);
});

test('guesses never propose cleartext and never repeat', () => {
  const list = candidatesFor('me@example.org');
  assert.ok(list.every((c) => c.security !== 'none'));
  const keys = list.map((c) => `${c.protocol}|${c.host}|${c.port}|${c.security}`);
  assert.equal(new Set(keys).size, keys.length);
});

test('internationalised domains are guessed in their ASCII (xn--) form', () => {
  assert.equal(candidatesFor('hans@bücher.de')[0]?.host, 'imap.xn--bcher-kva.de');
});

test('addresses without a usable domain give no candidates', () => {
  for (const email of [
    '',
    'plain',
    '@example.org',
    'me@',
    'me@localhost',
    'me@[192.0.2.1]',
    'me@192.0.2.1',
    'me@exa mple.org',
    'me@-bad.org',
  ]) {
    assert.deepEqual(candidatesFor(email), [], email);
  }
});

test('the last @ splits the address, so a quoted local part may contain one', () => {
  assert.deepEqual(splitAddress('"a@b"@example.org'), { local: '"a@b"', domain: 'example.org' });
});

test('normaliseDomain rejects over-long names and labels', () => {
  assert.equal(normaliseDomain(`${'a'.repeat(64)}.org`), null);
  assert.equal(normaliseDomain(`${'a'.repeat(63)}.org`), `${'a'.repeat(63)}.org`);
  assert.equal(normaliseDomain(`${'abcdefghi.'.repeat(26)}org`), null);
  assert.equal(normaliseDomain(`${'abcdefghi.'.repeat(25)}org`)?.length, 253);
});

test('dedupeCandidates keeps the first of equal attempts, ignoring host case and a trailing dot', () => {
  const a = { protocol: 'imap', host: 'mail.example.org', port: 993, security: 'implicit', tag: 1 } as const;
  const b = { protocol: 'imap', host: 'MAIL.example.org.', port: 993, security: 'implicit', tag: 2 } as const;
  const c = { protocol: 'imap', host: 'mail.example.org', port: 143, security: 'starttls', tag: 3 } as const;
  const d = { protocol: 'pop3', host: 'mail.example.org', port: 993, security: 'implicit', tag: 4 } as const;
  assert.deepEqual(
    dedupeCandidates([a, b, c, d, a]).map((x) => x.tag),
    [1, 3, 4],
  );
});

test('standard ports', () => {
  assert.equal(standardPort('imap', 'implicit'), 993);
  assert.equal(standardPort('imap', 'starttls'), 143);
  assert.equal(standardPort('imap', 'none'), 143);
  assert.equal(standardPort('pop3', 'implicit'), 995);
  assert.equal(standardPort('pop3', 'starttls'), 110);
  assert.equal(standardPort('pop3', 'none'), 110);
});

test('usernameFor: the full address by default, the local part where the provider asks', () => {
  assert.equal(
    usernameFor(' someone@gmail.com ', providerForEmail('someone@gmail.com')),
    'someone@gmail.com',
  );
  assert.equal(usernameFor('emily@icloud.com', providerForEmail('emily@icloud.com')), 'emily');
  assert.equal(usernameFor('me@example.org', providerForEmail('me@example.org')), 'me@example.org');
  assert.equal(usernameFor('me@example.org', undefined), 'me@example.org');
});
