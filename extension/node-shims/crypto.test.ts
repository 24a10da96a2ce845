import assert from 'node:assert/strict';
import { createHash as nodeCreateHash, getHashes as nodeGetHashes } from 'node:crypto';
import { test } from 'node:test';
import { createHash, getHashes, IDENTITY_HASH } from './crypto.ts';

test('md5 matches Node for the id imapflow hashes', () => {
  const input = 'INBOX:1712345678:4242';
  assert.equal(
    createHash('md5').update(input).digest('hex'),
    nodeCreateHash('md5').update(input).digest('hex'),
  );
});

test('the identity hash returns what it was given, bytes as UTF-8', () => {
  assert.equal(createHash(IDENTITY_HASH).update('INBOX:').update('7:42').digest('hex'), 'INBOX:7:42');
  assert.equal(
    createHash(IDENTITY_HASH).update(new TextEncoder().encode('Entwürfe:1:2')).digest(),
    'Entwürfe:1:2',
  );
});

test('getHashes names the identity hash, and Node does not: that is how the IMAP client picks', () => {
  assert.ok(getHashes().includes(IDENTITY_HASH));
  assert.ok(!nodeGetHashes().includes(IDENTITY_HASH));
});

test('other algorithms are refused', () => {
  assert.throws(() => createHash('sha256'), /not available/);
});
