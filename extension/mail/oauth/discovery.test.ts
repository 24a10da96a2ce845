import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { discover, discoveryUrls, parseIssuer, parseMetadata } from './discovery.ts';
import { OAuthError, type OAuthErrorCode } from './errors.ts';
import type { Fetch } from './http.ts';

function code(fn: () => unknown): OAuthErrorCode {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof OAuthError, String(error));
    return error.code;
  }
  assert.fail('expected an OAuthError');
}

async function asyncCode(promise: Promise<unknown>): Promise<OAuthErrorCode> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof OAuthError, String(error));
    return error.code;
  }
  assert.fail('expected an OAuthError');
}

const ISSUER = 'https://auth.example.test/realms/mail';
const METADATA = {
  issuer: ISSUER,
  authorization_endpoint: `${ISSUER}/protocol/openid-connect/auth`,
  token_endpoint: `${ISSUER}/protocol/openid-connect/token`,
  revocation_endpoint: `${ISSUER}/protocol/openid-connect/revoke`,
  response_types_supported: ['code', 'id_token'],
  grant_types_supported: ['authorization_code', 'refresh_token'],
  code_challenge_methods_supported: ['plain', 'S256'],
  scopes_supported: ['openid', 'email', 'offline_access'],
};

describe('issuer URLs', () => {
  test('https issuers are accepted, trimmed, without a trailing slash', () => {
    assert.equal(parseIssuer(' https://auth.example.test/ '), 'https://auth.example.test');
    assert.equal(parseIssuer(`${ISSUER}/`), ISSUER);
  });

  test('plain http only on loopback', () => {
    assert.equal(parseIssuer('http://127.0.0.1:8080'), 'http://127.0.0.1:8080');
    assert.equal(parseIssuer('http://localhost:9000/idp'), 'http://localhost:9000/idp');
    assert.equal(parseIssuer('http://[::1]:9000'), 'http://[::1]:9000');
    assert.equal(
      code(() => parseIssuer('http://auth.example.test')),
      'bad_issuer',
    );
    assert.equal(
      code(() => parseIssuer('http://127.0.0.1.example.test')),
      'bad_issuer',
    );
  });

  test('not a URL, another scheme, query, fragment or credentials: bad_issuer', () => {
    for (const bad of [
      '',
      'auth.example.test',
      'ftp://auth.example.test',
      'javascript:alert(1)',
      'https://auth.example.test/?x=1',
      'https://auth.example.test/?',
      'https://auth.example.test/#frag',
      'https://user:pw@auth.example.test',
    ]) {
      assert.equal(
        code(() => parseIssuer(bad)),
        'bad_issuer',
        bad,
      );
    }
  });

  test('discovery URLs: OpenID appended, RFC 8414 inserted', () => {
    assert.deepEqual(discoveryUrls(ISSUER), [
      'https://auth.example.test/realms/mail/.well-known/openid-configuration',
      'https://auth.example.test/.well-known/oauth-authorization-server/realms/mail',
    ]);
    assert.deepEqual(discoveryUrls('https://auth.example.test/'), [
      'https://auth.example.test/.well-known/openid-configuration',
      'https://auth.example.test/.well-known/oauth-authorization-server',
    ]);
  });
});

describe('metadata parsing', () => {
  test('a complete document', () => {
    assert.deepEqual(parseMetadata(METADATA, ISSUER), {
      issuer: ISSUER,
      authorizationEndpoint: METADATA.authorization_endpoint,
      tokenEndpoint: METADATA.token_endpoint,
      revocationEndpoint: METADATA.revocation_endpoint,
      scopesSupported: ['openid', 'email', 'offline_access'],
    });
  });

  test('optional members may be missing', () => {
    const {
      revocation_endpoint,
      response_types_supported,
      grant_types_supported,
      scopes_supported,
      ...rest
    } = METADATA;
    const { code_challenge_methods_supported, ...minimal } = rest;
    const parsed = parseMetadata(minimal, ISSUER);
    assert.equal(parsed.revocationEndpoint, null);
    assert.equal(parsed.scopesSupported, null);
  });

  test('issuer mismatch is refused (RFC 8414 §3.3), a trailing slash is not a mismatch', () => {
    assert.equal(
      code(() => parseMetadata({ ...METADATA, issuer: 'https://evil.example.test' }, ISSUER)),
      'issuer_mismatch',
    );
    assert.equal(
      code(() => parseMetadata({ ...METADATA, issuer: `${ISSUER}/other` }, ISSUER)),
      'issuer_mismatch',
    );
    assert.equal(
      parseMetadata({ ...METADATA, issuer: `${ISSUER}/` }, ISSUER).tokenEndpoint,
      METADATA.token_endpoint,
    );
  });

  test('not an object, missing or bad endpoints: bad_metadata', () => {
    for (const bad of [null, 'text', [METADATA], 42])
      assert.equal(
        code(() => parseMetadata(bad, ISSUER)),
        'bad_metadata',
      );
    assert.equal(
      code(() => parseMetadata({ ...METADATA, issuer: undefined }, ISSUER)),
      'bad_metadata',
    );
    assert.equal(
      code(() => parseMetadata({ ...METADATA, token_endpoint: undefined }, ISSUER)),
      'bad_metadata',
    );
    assert.equal(
      code(() => parseMetadata({ ...METADATA, authorization_endpoint: 7 }, ISSUER)),
      'bad_metadata',
    );
    assert.equal(
      code(() => parseMetadata({ ...METADATA, token_endpoint: 'not a url' }, ISSUER)),
      'bad_metadata',
    );
    assert.equal(
      code(() => parseMetadata({ ...METADATA, token_endpoint: 'http://auth.example.test/token' }, ISSUER)),
      'bad_metadata',
    );
    assert.equal(
      code(() => parseMetadata({ ...METADATA, revocation_endpoint: 'http://127.0.0.1/revoke' }, ISSUER)),
      'bad_metadata',
      'plain http on loopback only when the issuer is itself loopback http',
    );
  });

  test('a loopback http issuer may have loopback http endpoints', () => {
    const local = 'http://127.0.0.1:4000';
    const parsed = parseMetadata(
      { issuer: local, authorization_endpoint: `${local}/auth`, token_endpoint: `${local}/token` },
      local,
    );
    assert.equal(parsed.tokenEndpoint, `${local}/token`);
  });

  test('no code flow or no S256: unsupported', () => {
    assert.equal(
      code(() => parseMetadata({ ...METADATA, response_types_supported: ['token'] }, ISSUER)),
      'unsupported',
    );
    assert.equal(
      code(() => parseMetadata({ ...METADATA, grant_types_supported: ['implicit'] }, ISSUER)),
      'unsupported',
    );
    assert.equal(
      code(() => parseMetadata({ ...METADATA, code_challenge_methods_supported: ['plain'] }, ISSUER)),
      'unsupported',
    );
  });
});

describe('discover', () => {
  function fakeFetch(routes: Record<string, () => Response>): { fetch: Fetch; asked: string[] } {
    const asked: string[] = [];
    const fetch: Fetch = async (url) => {
      asked.push(url);
      const route = routes[url];
      return route ? route() : new Response('not found', { status: 404 });
    };
    return { fetch, asked };
  }

  test('OpenID document first', async () => {
    const { fetch, asked } = fakeFetch({
      [`${ISSUER}/.well-known/openid-configuration`]: () => Response.json(METADATA),
    });
    assert.equal((await discover(fetch, ISSUER)).tokenEndpoint, METADATA.token_endpoint);
    assert.equal(asked.length, 1);
  });

  test('RFC 8414 document when the OpenID one is missing', async () => {
    const { fetch, asked } = fakeFetch({
      'https://auth.example.test/.well-known/oauth-authorization-server/realms/mail': () =>
        Response.json(METADATA),
    });
    assert.equal((await discover(fetch, ISSUER)).issuer, ISSUER);
    assert.equal(asked.length, 2);
  });

  test('neither document: bad_metadata; a 500: http; a body that is not JSON: bad_metadata', async () => {
    assert.equal(await asyncCode(discover(fakeFetch({}).fetch, ISSUER)), 'bad_metadata');
    const url = `${ISSUER}/.well-known/openid-configuration`;
    assert.equal(
      await asyncCode(
        discover(fakeFetch({ [url]: () => new Response('oops', { status: 500 }) }).fetch, ISSUER),
      ),
      'http',
    );
    assert.equal(
      await asyncCode(
        discover(fakeFetch({ [url]: () => new Response('<html>', { status: 200 }) }).fetch, ISSUER),
      ),
      'bad_metadata',
    );
  });

  test('no answer: network; an oversized answer: http, read no further', async () => {
    const failing: Fetch = async () => {
      throw new TypeError('Failed to fetch');
    };
    assert.equal(await asyncCode(discover(failing, ISSUER)), 'network');
    let pulled = 0;
    const endless: Fetch = async () =>
      new Response(
        new ReadableStream<Uint8Array>({
          pull(controller) {
            pulled++;
            controller.enqueue(new Uint8Array(64 * 1024).fill(0x20));
          },
        }),
      );
    assert.equal(await asyncCode(discover(endless, ISSUER)), 'http');
    assert.ok(pulled <= 6, `read ${pulled} chunks of an endless body`);
  });

  test('a bad issuer is refused before any request', async () => {
    const { fetch, asked } = fakeFetch({});
    assert.equal(await asyncCode(discover(fetch, 'http://auth.example.test')), 'bad_issuer');
    assert.equal(asked.length, 0);
  });
});
