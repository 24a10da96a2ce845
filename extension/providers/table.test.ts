import assert from 'node:assert/strict';
import { test } from 'node:test';
import { endpointOf, PROVIDERS, providerForDomain } from './table.ts';

test('each domain belongs to one provider and is lowercase ASCII', () => {
  const seen = new Map<string, string>();
  for (const provider of PROVIDERS) {
    for (const domain of provider.domains) {
      assert.match(domain, /^[a-z0-9.-]+\.[a-z]{2,}$/, domain);
      assert.equal(seen.get(domain), undefined, `${domain} in ${seen.get(domain)} and ${provider.id}`);
      seen.set(domain, provider.id);
    }
  }
});

test('provider ids are unique', () => {
  const ids = PROVIDERS.map((p) => p.id);
  assert.equal(new Set(ids).size, ids.length);
});

test('every endpoint uses implicit TLS on the standard port, and every provider has IMAP', () => {
  for (const provider of PROVIDERS) {
    assert.ok(provider.imap, `${provider.id} has IMAP`);
    assert.deepEqual([provider.imap.port, provider.imap.security], [993, 'implicit'], provider.id);
    if (provider.pop3)
      assert.deepEqual([provider.pop3.port, provider.pop3.security], [995, 'implicit'], provider.id);
    assert.ok(provider.note.length > 0, `${provider.id} has a note`);
  }
});

test('the providers the options page promises are there, with their published servers', () => {
  const servers = (domain: string) => {
    const p = providerForDomain(domain);
    assert.ok(p, domain);
    return [endpointOf(p, 'imap')?.host, endpointOf(p, 'pop3')?.host];
  };
  assert.deepEqual(servers('gmail.com'), ['imap.gmail.com', 'pop.gmail.com']);
  assert.deepEqual(servers('outlook.com'), ['outlook.office365.com', 'outlook.office365.com']);
  assert.deepEqual(servers('live.com'), ['outlook.office365.com', 'outlook.office365.com']);
  assert.deepEqual(servers('yahoo.com'), ['imap.mail.yahoo.com', 'pop.mail.yahoo.com']);
  assert.deepEqual(servers('icloud.com'), ['imap.mail.me.com', undefined]);
  assert.deepEqual(servers('me.com'), ['imap.mail.me.com', undefined]);
  assert.deepEqual(servers('fastmail.com'), ['imap.fastmail.com', 'pop.fastmail.com']);
  assert.deepEqual(servers('gmx.de'), ['imap.gmx.net', 'pop.gmx.net']);
  assert.deepEqual(servers('gmx.com'), ['imap.gmx.com', 'pop.gmx.com']);
  assert.deepEqual(servers('mail.com'), ['imap.mail.com', 'pop.mail.com']);
  assert.deepEqual(servers('zoho.com'), ['imap.zoho.com', 'pop.zoho.com']);
  assert.deepEqual(servers('aol.com'), ['imap.aol.com', 'pop.aol.com']);
  assert.deepEqual(servers('yandex.ru'), ['imap.yandex.com', 'pop.yandex.com']);
  assert.equal(providerForDomain('example.org'), undefined);
});

test('app-password providers say so', () => {
  for (const domain of ['gmail.com', 'yahoo.com', 'icloud.com', 'fastmail.com', 'aol.com']) {
    assert.ok(providerForDomain(domain)?.requires.includes('app-password'), domain);
  }
});
