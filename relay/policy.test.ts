import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  allowedHostHeaders,
  checkAddresses,
  checkHostHeader,
  checkOrigin,
  checkPort,
  isLoopbackBind,
} from './policy.ts';

const ID = 'abcdefghijklmnopabcdefghijklmnop';

test('origins', () => {
  for (const ok of [
    undefined,
    'null',
    `chrome-extension://${ID}`,
    'moz-extension://0e5a1f3c-7a9b-4f8e-9d2c-3b1a6c5d4e7f',
  ]) {
    assert.equal(checkOrigin(ok, []), null, String(ok));
  }
  for (const bad of [
    'https://evil.example',
    'http://localhost:6512',
    'http://127.0.0.1',
    'file://',
    '',
    'NULL',
    `chrome-extension://${ID}.evil.example`,
    `chrome-extension://${ID}/`,
    'chrome-extension://',
    'safari-web-extension://x',
    'moz-extension://not a uuid',
  ]) {
    assert.notEqual(checkOrigin(bad, []), null, bad);
  }
});

test('configured extension IDs restrict Chrome origins only', () => {
  assert.equal(checkOrigin(`chrome-extension://${ID}`, [ID]), null);
  assert.notEqual(checkOrigin(`chrome-extension://${'b'.repeat(32)}`, [ID]), null);
  assert.equal(checkOrigin('moz-extension://0e5a1f3c-7a9b-4f8e-9d2c-3b1a6c5d4e7f', [ID]), null);
});

test('Host headers of a loopback relay', () => {
  const allowed = allowedHostHeaders('127.0.0.1', 6512);
  for (const ok of ['127.0.0.1:6512', 'localhost:6512', 'LocalHost:6512', '[::1]:6512']) {
    assert.equal(checkHostHeader(ok, allowed), null, ok);
  }
  for (const bad of [
    undefined,
    '',
    'evil.example:6512',
    '127.0.0.1',
    '127.0.0.1:6513',
    'localhost',
    'localhost.:6512',
    '127.0.0.2:6512',
    '0.0.0.0:6512',
  ]) {
    assert.notEqual(checkHostHeader(bad, allowed), null, String(bad));
  }
  assert.equal(checkHostHeader('127.0.0.2:7000', allowedHostHeaders('127.0.0.2', 7000)), null);
  assert.equal(checkHostHeader('[::1]:7000', allowedHostHeaders('::1', 7000)), null);
  assert.equal(checkHostHeader('localhost', allowedHostHeaders('127.0.0.1', 80)), null);
  assert.equal(checkHostHeader('anything', null), null, 'not bound to loopback: no Host check');
});

test('isLoopbackBind', () => {
  assert.equal(isLoopbackBind('127.0.0.1'), true);
  assert.equal(isLoopbackBind('127.1.2.3'), true);
  assert.equal(isLoopbackBind('::1'), true);
  assert.equal(isLoopbackBind('localhost'), true);
  assert.equal(isLoopbackBind('0.0.0.0'), false);
  assert.equal(isLoopbackBind('192.168.1.10'), false);
});

test('ports and addresses', () => {
  assert.equal(checkPort(993, [993]), null);
  assert.match(checkPort(25, [110, 993]) ?? '', /port 25/);
  assert.equal(checkAddresses(['1.1.1.1', '2606:4700::1111'], false), null);
  assert.match(checkAddresses(['1.1.1.1', '10.0.0.1'], false) ?? '', /10\.0\.0\.1 is a private address/);
  assert.equal(checkAddresses(['10.0.0.1', '127.0.0.1'], true), null);
});

test('once a Firefox add-on has paired, only its origin is accepted', () => {
  const paired = 'moz-extension://0e5a1f3c-7a9b-4f8e-9d2c-3b1a6c5d4e7f';
  const other = 'moz-extension://11111111-2222-4333-8444-555555555555';
  assert.equal(checkOrigin(other, [], null), null, 'any add-on may pair first');
  assert.equal(checkOrigin(paired, [], paired), null);
  assert.equal(checkOrigin(other, [], paired), 'add-on not paired');
  assert.equal(checkOrigin(`chrome-extension://${ID}`, [], paired), null, 'Chrome is judged by its ID alone');
});
