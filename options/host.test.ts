import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkHost } from './host.ts';

test('host names are lowercased, lose a trailing dot, and IDNs become xn-- ASCII', () => {
  assert.deepEqual(checkHost(' Mail.Example.ORG. '), { ok: true, host: 'mail.example.org' });
  assert.deepEqual(checkHost('mail.bücher.de'), { ok: true, host: 'mail.xn--bcher-kva.de' });
  assert.deepEqual(checkHost('localhost'), { ok: true, host: 'localhost' });
});

test('IP addresses: IPv4 as typed, IPv6 without brackets', () => {
  assert.deepEqual(checkHost('192.0.2.7'), { ok: true, host: '192.0.2.7' });
  assert.deepEqual(checkHost('[2001:DB8::1]'), { ok: true, host: '2001:db8::1' });
  assert.deepEqual(checkHost('::1'), { ok: true, host: '::1' });
});

test('refusals carry a reason the form can explain', () => {
  assert.deepEqual(checkHost('  '), { ok: false, reason: 'empty' });
  assert.deepEqual(checkHost('imaps://mail.example.org'), { ok: false, reason: 'scheme' });
  assert.deepEqual(checkHost('mail.example.org:993'), { ok: false, reason: 'port' });
  for (const bad of [
    'mail example.org',
    'mail.example.org/x',
    'user@mail.example.org',
    '10.1',
    '999.1.1.1',
    '-x.org',
    '[zz::1]',
  ])
    assert.deepEqual(checkHost(bad), { ok: false, reason: 'invalid' }, bad);
});
