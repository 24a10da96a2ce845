import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatAddress, formatAddressList, senderLabel } from './format-address.ts';

test('the list shows the display name, else the address', () => {
  assert.equal(senderLabel({ name: 'Ada Lovelace', address: 'ada@example.org' }), 'Ada Lovelace');
  assert.equal(senderLabel({ name: '  ', address: 'ada@example.org' }), 'ada@example.org');
  assert.equal(senderLabel({ name: '', address: '' }), '');
  assert.equal(senderLabel(null), '');
});

test('the reader shows name and address, without repeating an address used as name', () => {
  assert.equal(formatAddress({ name: 'Ada', address: 'ada@example.org' }), 'Ada <ada@example.org>');
  assert.equal(formatAddress({ name: '', address: 'ada@example.org' }), 'ada@example.org');
  assert.equal(formatAddress({ name: 'ada@example.org', address: 'ada@example.org' }), 'ada@example.org');
  assert.equal(formatAddress({ name: 'Undisclosed recipients', address: '' }), 'Undisclosed recipients');
});

test('address lists are comma separated and skip empty entries', () => {
  assert.equal(
    formatAddressList([
      { name: 'Ada', address: 'ada@example.org' },
      { name: '', address: '' },
      { name: '', address: 'bob@example.org' },
    ]),
    'Ada <ada@example.org>, bob@example.org',
  );
  assert.equal(formatAddressList([]), '');
});
