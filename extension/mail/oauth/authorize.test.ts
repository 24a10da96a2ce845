import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type AuthorizationRequest, parseRedirect, windowEndedError } from './authorize.ts';
import { OAuthError } from './errors.ts';

const CHROME_URI = 'https://dbonihppoidfekehkoeogfoehelllkbp.chromiumapp.org/';
const FIREFOX_URI = 'https://7d7ec9223ee59a4ff9da2268d735a1ddb44f6c08.extensions.allizom.org/';

const request: AuthorizationRequest = {
  url: 'https://idp.example/authorize',
  state: 'state-0123456789abcdefghijkl',
  verifier: 'verifier-0123456789abcdefghijklmnopqrstuvwxyz',
  redirectUri: CHROME_URI,
};

/** The OAuthError `fn` throws. */
function thrown(fn: () => unknown): OAuthError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof OAuthError, String(err));
    return err;
  }
  assert.fail('nothing thrown');
}

const redirect = (params: Record<string, string>) => `${CHROME_URI}?${new URLSearchParams(params)}`;

describe('the sign-in window ended without a redirect', () => {
  test("a window the user closed (Chrome's and Firefox's words) names the Client ID and the redirect URI to register", () => {
    for (const [cause, uri] of [
      [new Error('The user did not approve access.'), CHROME_URI],
      [new Error('User cancelled or denied access.'), FIREFOX_URI],
      [{ message: 'User cancelled or denied access.' }, FIREFOX_URI],
      ['closed', CHROME_URI],
      [undefined, CHROME_URI],
    ] as const) {
      const error = windowEndedError(cause, uri);
      assert.equal(error.code, 'cancelled');
      assert.equal(
        error.message,
        'the sign-in window was closed before the sign-in finished. If the authorization server ' +
          `showed an error there, check the Client ID and that the redirect URI ${uri} is registered for it`,
      );
      assert.equal(error.cause, cause);
    }
  });

  test('a page that did not load says so, and what to check', () => {
    for (const reason of ['Authorization page could not be loaded.', 'Invalid request']) {
      const error = windowEndedError(new Error(reason), FIREFOX_URI);
      assert.equal(error.code, 'cancelled');
      assert.equal(
        error.message,
        'the sign-in page did not load. Check the Authorization server, the Client ID and that ' +
          `the redirect URI ${FIREFOX_URI} is registered for it`,
      );
    }
  });
});

describe('the provider redirected back with error=', () => {
  test('its error and description are shown, and the code says what kind of refusal', () => {
    for (const [error, code] of [
      ['access_denied', 'access_denied'],
      ['unauthorized_client', 'invalid_client'],
      ['invalid_scope', 'server_error'],
    ] as const) {
      const e = thrown(() =>
        parseRedirect(redirect({ error, error_description: 'nope', state: request.state }), request),
      );
      assert.equal(e.code, code);
      assert.equal(e.oauthError, error);
      assert.equal(e.message, `the authorization server refused the sign-in: ${error} (nope)`);
    }
  });

  test('no description: the error alone', () => {
    const e = thrown(() =>
      parseRedirect(redirect({ error: 'access_denied', state: request.state }), request),
    );
    assert.equal(e.message, 'the authorization server refused the sign-in: access_denied');
  });

  test('server text is printable and bounded, and never carries the state, verifier or a code', () => {
    const e = thrown(() =>
      parseRedirect(
        redirect({
          error: 'server_error\r\nX-Injected: 1',
          error_description: `state ${request.state} verifier ${request.verifier} code secret-code-42 ${'x'.repeat(500)}`,
          code: 'secret-code-42',
          state: request.state,
        }),
        request,
      ),
    );
    assert.equal(e.code, 'server_error');
    assert.ok(!/[\r\n]/.test(e.message), e.message);
    assert.ok(!e.message.includes(request.state), e.message);
    assert.ok(!e.message.includes(request.verifier), e.message);
    assert.ok(!e.message.includes('secret-code-42'), e.message);
    assert.match(e.message, /\[redacted\]/);
    assert.ok(e.message.length < 300, `${e.message.length} characters`);
  });

  test('an error redirect that is not ours is refused as such, not shown', () => {
    const e = thrown(() =>
      parseRedirect(
        redirect({ error: 'access_denied', error_description: 'forged', state: 'other' }),
        request,
      ),
    );
    assert.equal(e.code, 'state_mismatch');
    assert.ok(!e.message.includes('forged'));
  });

  test('a code with our state is returned', () => {
    assert.equal(parseRedirect(redirect({ code: 'abc', state: request.state }), request), 'abc');
  });
});
