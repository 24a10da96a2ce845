import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  oauthAbortResponse,
  oauthBearerResponse,
  oauthResponse,
  parseOAuthChallenge,
  pickOAuthMechanism,
  xoauth2Response,
} from './sasl.ts';

const decode = (b64: string) => Buffer.from(b64, 'base64').toString('utf8');

describe('SASL encodings for OAuth', () => {
  test("XOAUTH2: Google's documented example", () => {
    // https://developers.google.com/gmail/imap/xoauth2-protocol#the_sasl_xoauth2_mechanism
    assert.equal(
      xoauth2Response('someuser@example.com', 'ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg'),
      'dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5LnZGOWRmdDRxbVRjMk52YjNSbGNrQmhkSFJoZG1semRHRXVZMjl0Q2cBAQ==',
    );
  });

  test('OAUTHBEARER: RFC 7628 §4.1 example, with host and port', () => {
    const payload = decode(
      oauthBearerResponse('user@example.com', 'vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==', {
        host: 'server.example.com',
        port: 143,
      }),
    );
    assert.equal(
      payload,
      'n,a=user@example.com,\x01host=server.example.com\x01port=143\x01auth=Bearer vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==\x01\x01',
    );
  });

  test('OAUTHBEARER without host and port, and a user name that needs escaping', () => {
    assert.equal(decode(oauthBearerResponse('a,b=c', 'tok')), 'n,a=a=2Cb=3Dc,\x01auth=Bearer tok\x01\x01');
  });

  test('non-ASCII user names are UTF-8', () => {
    assert.equal(
      decode(xoauth2Response('zoë@example.test', 't')),
      'user=zoë@example.test\x01auth=Bearer t\x01\x01',
    );
  });

  test('control characters or empty values are refused, never framed', () => {
    assert.throws(() => xoauth2Response('alice\x01auth=Bearer evil', 't'), TypeError);
    assert.throws(() => xoauth2Response('alice', 'tok\r\nQUIT'), TypeError);
    assert.throws(() => oauthBearerResponse('alice', ''), TypeError);
    assert.throws(() => oauthBearerResponse('', 'tok'), TypeError);
  });

  test('oauthResponse dispatches on the mechanism', () => {
    assert.equal(oauthResponse('XOAUTH2', 'u', 't'), xoauth2Response('u', 't'));
    assert.equal(oauthResponse('OAUTHBEARER', 'u', 't'), oauthBearerResponse('u', 't'));
  });

  test('abort responses: %x01 for OAUTHBEARER, empty for XOAUTH2', () => {
    assert.equal(decode(oauthAbortResponse('OAUTHBEARER')), '\x01');
    assert.equal(oauthAbortResponse('XOAUTH2'), '');
  });

  test('mechanism choice prefers the standard one', () => {
    assert.equal(pickOAuthMechanism(['PLAIN', 'XOAUTH2', 'OAUTHBEARER']), 'OAUTHBEARER');
    assert.equal(pickOAuthMechanism(['plain', 'xoauth2']), 'XOAUTH2');
    assert.equal(pickOAuthMechanism(['PLAIN', 'LOGIN']), null);
  });

  test('error challenge: RFC 7628 §3.2.2 JSON', () => {
    const json = Buffer.from('{"status":"invalid_token","schemes":"bearer","scope":"mail"}').toString(
      'base64',
    );
    assert.deepEqual(parseOAuthChallenge(json), {
      status: 'invalid_token',
      scope: 'mail',
      openidConfiguration: null,
    });
    const google = Buffer.from(
      '{"status":"401","schemes":"bearer","scope":"https://mail.google.com/"}',
    ).toString('base64');
    assert.equal(parseOAuthChallenge(google).status, '401');
  });

  test('unreadable challenges give nulls, never throw', () => {
    const nulls = { status: null, scope: null, openidConfiguration: null };
    for (const bad of [
      '',
      '!!!',
      Buffer.from('not json').toString('base64'),
      Buffer.from('42').toString('base64'),
      'A'.repeat(5000),
    ]) {
      assert.deepEqual(parseOAuthChallenge(bad), nulls);
    }
  });
});
