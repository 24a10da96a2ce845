import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseGreeting } from './greeting.ts';

describe('parseGreeting', () => {
  test('captures the APOP timestamp (RFC 1939 §7 example)', () => {
    assert.deepEqual(
      parseGreeting({ ok: true, text: 'POP3 server ready <1896.697170952@dbc.mtview.ca.us>' }),
      {
        text: 'POP3 server ready <1896.697170952@dbc.mtview.ca.us>',
        apopTimestamp: '<1896.697170952@dbc.mtview.ca.us>',
      },
    );
  });

  test('no timestamp, or angle brackets that are not one', () => {
    for (const text of ['Dovecot ready.', 'ready <no-at-sign>', 'ready <a b@c>', '<@host>']) {
      assert.equal(parseGreeting({ ok: true, text }).apopTimestamp, null, text);
    }
  });
});
