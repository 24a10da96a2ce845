import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatName, isoDate } from './tls-info.ts';

test('formatName writes key=value pairs, repeating multi-valued keys', () => {
  assert.equal(formatName({ CN: 'mail.example.com', O: 'Example' }), 'CN=mail.example.com, O=Example');
  assert.equal(formatName({ OU: ['a', 'b'] }), 'OU=a, OU=b');
  assert.equal(formatName(undefined), '');
});

test('isoDate converts OpenSSL dates and leaves odd ones alone', () => {
  assert.equal(isoDate('Mar  1 12:00:00 2027 GMT'), '2027-03-01T12:00:00.000Z');
  assert.equal(isoDate('garbage'), 'garbage');
  assert.equal(isoDate(undefined), '');
});
