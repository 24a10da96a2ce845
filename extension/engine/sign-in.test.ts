import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { OAuthError } from '../mail/oauth/errors.ts';
import { signIn } from './sign-in.ts';

const FIREFOX_URI = 'https://7d7ec9223ee59a4ff9da2268d735a1ddb44f6c08.extensions.allizom.org/';

/**
 * One sign-in at Google (built-in endpoints: no discovery) whose window does what `window`
 * says with the authorization URL; every request it would send is counted, none answered.
 */
async function failedSignIn(
  window: (url: URL) => Promise<string>,
): Promise<{ error: OAuthError; sent: number }> {
  let sent = 0;
  const fetch = async () => {
    sent += 1;
    throw new Error('no request was expected');
  };
  try {
    await signIn(
      { fetch, launch: (url) => window(new URL(url)), redirectUri: FIREFOX_URI },
      { issuer: 'https://accounts.google.com', clientId: 'typed-client-id', loginHint: 'ada@example.org' },
    );
  } catch (error) {
    assert.ok(error instanceof OAuthError, String(error));
    return { error, sent };
  }
  assert.fail('the sign-in succeeded');
}

describe('a sign-in that does not come back with a code', () => {
  test('the window closed (no redirect): cancelled, naming the client ID and this browser’s redirect URI', async () => {
    const { error, sent } = await failedSignIn(async () => {
      throw new Error('User cancelled or denied access.');
    });
    assert.equal(error.code, 'cancelled');
    assert.match(error.message, /^the sign-in window was closed before the sign-in finished\./);
    assert.ok(
      error.message.includes(`check the Client ID and that the redirect URI ${FIREFOX_URI} is registered`),
      error.message,
    );
    assert.equal(sent, 0);
  });

  test('the provider redirected back with error=: its words, nothing exchanged', async () => {
    const { error, sent } = await failedSignIn(async (url) => {
      const back = new URL(url.searchParams.get('redirect_uri')!);
      back.searchParams.set('error', 'access_denied');
      back.searchParams.set('error_description', 'The user said no');
      back.searchParams.set('state', url.searchParams.get('state')!);
      return back.href;
    });
    assert.equal(error.code, 'access_denied');
    assert.equal(
      error.message,
      'the authorization server refused the sign-in: access_denied (The user said no)',
    );
    assert.equal(sent, 0);
  });

  test('a redirect with another state is not ours', async () => {
    const { error, sent } = await failedSignIn(async () => `${FIREFOX_URI}?code=abc&state=forged`);
    assert.equal(error.code, 'state_mismatch');
    assert.equal(sent, 0);
  });
});
