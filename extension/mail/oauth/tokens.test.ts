import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildAuthorizationRequest, parseRedirect } from './authorize.ts';
import { OAuthError, type OAuthErrorCode } from './errors.ts';
import type { Fetch } from './http.ts';
import { challengeS256 } from './pkce.ts';
import {
  DEFAULT_LIFETIME_S,
  exchangeCode,
  MAX_LIFETIME_S,
  parseTokenResponse,
  refreshTokens,
  revokeToken,
} from './tokens.ts';

async function codeOf(promise: Promise<unknown> | (() => unknown)): Promise<OAuthError> {
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (error) {
    assert.ok(error instanceof OAuthError, String(error));
    return error;
  }
  assert.fail('expected an OAuthError');
}

const CLIENT = { tokenEndpoint: 'https://auth.example.test/token', clientId: 'biff' };
const ACCESS = 'access-token-value-0123456789';
const REFRESH = 'refresh-token-value-0123456789';

/** A token endpoint that records the forms it got and answers with `reply`. */
function endpoint(reply: () => Response): { fetch: Fetch; forms: URLSearchParams[] } {
  const forms: URLSearchParams[] = [];
  const fetch: Fetch = async (_url, init) => {
    assert.equal(init?.method, 'POST');
    forms.push(new URLSearchParams(String(init?.body)));
    return reply();
  };
  return { fetch, forms };
}

describe('token responses', () => {
  test('a complete response', () => {
    const tokens = parseTokenResponse(
      { access_token: ACCESS, token_type: 'bearer', expires_in: 600, refresh_token: REFRESH, scope: 'mail' },
      1_000,
    );
    assert.deepEqual(tokens, {
      accessToken: ACCESS,
      issuedAt: 1_000,
      expiresAt: 601_000,
      refreshToken: REFRESH,
      scope: 'mail',
    });
  });

  test('expires_in: a numeric string is read, a missing one is an hour, a huge one is capped', () => {
    const base = { access_token: ACCESS, token_type: 'Bearer' };
    assert.equal(parseTokenResponse({ ...base, expires_in: '3599' }, 0).expiresAt, 3_599_000);
    assert.equal(parseTokenResponse(base, 0).expiresAt, DEFAULT_LIFETIME_S * 1000);
    assert.equal(parseTokenResponse({ ...base, expires_in: 1e12 }, 0).expiresAt, MAX_LIFETIME_S * 1000);
  });

  test('no rotation keeps the refresh token we had', () => {
    assert.equal(
      parseTokenResponse({ access_token: ACCESS, token_type: 'Bearer' }, 0, REFRESH).refreshToken,
      REFRESH,
    );
    assert.equal(
      parseTokenResponse({ access_token: ACCESS, token_type: 'Bearer', refresh_token: 'new' }, 0, REFRESH)
        .refreshToken,
      'new',
    );
  });

  test('malformed responses: bad_response, and no token in the message', async () => {
    for (const bad of [
      null,
      {},
      { access_token: '', token_type: 'Bearer' },
      { access_token: ACCESS },
      { access_token: ACCESS, token_type: 'mac' },
      { access_token: ACCESS, token_type: 'Bearer', expires_in: -5 },
      { access_token: ACCESS, token_type: 'Bearer', expires_in: 'soon' },
      { access_token: ACCESS, token_type: 'Bearer', refresh_token: 5 },
    ]) {
      const error = await codeOf(() => parseTokenResponse(bad, 0));
      assert.equal(error.code, 'bad_response', JSON.stringify(bad));
      assert.ok(!error.message.includes(ACCESS));
    }
  });
});

describe('token endpoint', () => {
  test('code exchange sends the PKCE verifier and the client ID, no secret', async () => {
    const { fetch, forms } = endpoint(() =>
      Response.json({ access_token: ACCESS, token_type: 'Bearer', expires_in: 60, refresh_token: REFRESH }),
    );
    const { tokens, idToken } = await exchangeCode(
      fetch,
      CLIENT,
      { code: 'c0de', redirectUri: 'https://x.chromiumapp.org/', verifier: 'v' },
      () => 5,
    );
    assert.equal(tokens.refreshToken, REFRESH);
    assert.equal(tokens.expiresAt, 60_005);
    assert.equal(idToken, null);
    assert.deepEqual(Object.fromEntries(forms[0]!), {
      grant_type: 'authorization_code',
      code: 'c0de',
      redirect_uri: 'https://x.chromiumapp.org/',
      client_id: 'biff',
      code_verifier: 'v',
    });
  });

  test('refresh sends the refresh token; rotation is taken', async () => {
    const { fetch, forms } = endpoint(() =>
      Response.json({ access_token: ACCESS, token_type: 'Bearer', refresh_token: 'rotated' }),
    );
    assert.equal((await refreshTokens(fetch, CLIENT, REFRESH)).refreshToken, 'rotated');
    assert.deepEqual(Object.fromEntries(forms[0]!), {
      grant_type: 'refresh_token',
      refresh_token: REFRESH,
      client_id: 'biff',
    });
  });

  test('OAuth error answers map to codes; the refresh token never shows', async () => {
    const cases: Array<[number, unknown, OAuthErrorCode]> = [
      [400, { error: 'invalid_grant', error_description: 'Token is not active' }, 'invalid_grant'],
      [401, { error: 'invalid_client' }, 'invalid_client'],
      [400, { error: 'unauthorized_client' }, 'invalid_client'],
      [400, { error: 'invalid_scope' }, 'server_error'],
      [500, { nothing: true }, 'http'],
      [502, undefined, 'http'],
    ];
    for (const [status, body, expected] of cases) {
      const { fetch } = endpoint(() =>
        body === undefined
          ? new Response('<h1>Bad gateway</h1>', { status })
          : Response.json(body, { status }),
      );
      const error = await codeOf(refreshTokens(fetch, CLIENT, REFRESH));
      assert.equal(error.code, expected, JSON.stringify(body));
      assert.equal(error.status, status);
      assert.ok(!error.message.includes(REFRESH));
    }
  });

  test('an error description is cut short and loses control characters', async () => {
    const { fetch } = endpoint(() =>
      Response.json(
        { error: 'invalid_grant', error_description: `line1\r\nline2${'x'.repeat(1000)}` },
        { status: 400 },
      ),
    );
    const error = await codeOf(refreshTokens(fetch, CLIENT, REFRESH));
    assert.ok(!/[\r\n]/.test(error.message));
    assert.ok(error.message.length < 300, error.message);
  });

  test('revocation: 200 is done, an error answer is typed', async () => {
    const ok = endpoint(() => new Response('', { status: 200 }));
    await revokeToken(ok.fetch, 'https://auth.example.test/revoke', 'biff', REFRESH);
    assert.deepEqual(Object.fromEntries(ok.forms[0]!), {
      token: REFRESH,
      token_type_hint: 'refresh_token',
      client_id: 'biff',
    });
    const refused = endpoint(() => Response.json({ error: 'unsupported_token_type' }, { status: 400 }));
    assert.equal(
      (await codeOf(revokeToken(refused.fetch, 'https://auth.example.test/revoke', 'biff', REFRESH))).code,
      'server_error',
    );
  });
});

describe('authorization request and redirect', () => {
  const params = {
    authorizationEndpoint: 'https://auth.example.test/authorize?tenant=x',
    clientId: 'biff',
    redirectUri: 'https://abc.chromiumapp.org/',
    scopes: ['openid', 'offline_access'],
    loginHint: 'alice@example.test',
    extraParams: { access_type: 'offline' },
  };

  test("the URL carries S256 PKCE, state, scope and the endpoint's own query", async () => {
    const request = await buildAuthorizationRequest(params);
    const url = new URL(request.url);
    const q = Object.fromEntries(url.searchParams);
    assert.equal(url.origin + url.pathname, 'https://auth.example.test/authorize');
    assert.equal(q.tenant, 'x');
    assert.equal(q.response_type, 'code');
    assert.equal(q.client_id, 'biff');
    assert.equal(q.redirect_uri, 'https://abc.chromiumapp.org/');
    assert.equal(q.scope, 'openid offline_access');
    assert.equal(q.state, request.state);
    assert.equal(q.code_challenge_method, 'S256');
    assert.equal(q.code_challenge, await challengeS256(request.verifier));
    assert.equal(q.login_hint, 'alice@example.test');
    assert.equal(q.access_type, 'offline');
    assert.ok(!request.url.includes(request.verifier), 'the verifier stays with us');
  });

  test('extra parameters cannot replace the PKCE or state ones', async () => {
    const request = await buildAuthorizationRequest({
      ...params,
      extraParams: { state: 'evil', code_challenge_method: 'plain' },
    });
    const q = new URL(request.url).searchParams;
    assert.equal(q.get('state'), request.state);
    assert.equal(q.get('code_challenge_method'), 'S256');
  });

  test('no client ID: no_client_id', async () => {
    assert.equal(
      (await codeOf(buildAuthorizationRequest({ ...params, clientId: ' ' }))).code,
      'no_client_id',
    );
  });

  test('redirects: code, wrong state, errors, mix-up', async () => {
    const request = await buildAuthorizationRequest(params);
    const back = (q: string) => `https://abc.chromiumapp.org/?${q}`;
    assert.equal(parseRedirect(back(`code=abc&state=${request.state}`), request), 'abc');
    assert.equal(
      parseRedirect(`https://abc.chromiumapp.org/#code=frag&state=${request.state}`, request),
      'frag',
    );
    const codes: Array<[string, OAuthErrorCode]> = [
      ['code=abc', 'state_mismatch'],
      ['code=abc&state=other', 'state_mismatch'],
      [`error=access_denied&state=${request.state}`, 'access_denied'],
      [`error=unauthorized_client&state=${request.state}`, 'invalid_client'],
      [`error=server_error&error_description=down&state=${request.state}`, 'server_error'],
      [`state=${request.state}`, 'server_error'],
    ];
    for (const [q, expected] of codes)
      assert.equal((await codeOf(() => parseRedirect(back(q), request))).code, expected, q);
    assert.equal(
      (
        await codeOf(() =>
          parseRedirect(
            back(`code=abc&state=${request.state}&iss=https://evil.test`),
            request,
            'https://auth.example.test',
          ),
        )
      ).code,
      'issuer_mismatch',
    );
    assert.equal(
      parseRedirect(
        back(`code=abc&state=${request.state}&iss=https://auth.example.test`),
        request,
        'https://auth.example.test/',
      ),
      'abc',
    );
    assert.equal((await codeOf(() => parseRedirect('not a url', request))).code, 'server_error');
  });
});
