import assert from 'node:assert/strict';
import { test } from 'node:test';
import { redactSecret, redactSecrets, redactText } from './redact.ts';

/** Passwords full of what quoting, escaping and encoding change. */
const PASSWORDS = [
  'pa"ss\\word 1',
  'a\\"b"c\\\\d',
  'ümlaut €uro "quoted"',
  '100% sure & +plus/ slash=eq?',
  'tab\tnew\nline\u0001ctl',
  '{"json":"in\\u0041side"}',
  "it's <b>bold</b> `tick`",
];
const USER = 'ann@example.org';

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');
/** IMAP quoted string (RFC 9051 §4.3): `\` and `"` escaped. */
const imapQuoted = (text: string): string => `"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`;

/** Every form a server, a library or our own code could echo a password in. */
function forms(secret: string): Record<string, string> {
  return {
    raw: `LOGIN ${USER} ${secret} failed`,
    imapQuoted: `A1 LOGIN "${USER}" ${imapQuoted(secret)}`,
    imapLiteral: `A1 LOGIN {${USER.length}}\r\n${USER} {${Buffer.byteLength(secret)}}\r\n${secret}\r\n`,
    json: `{"command":${JSON.stringify(`LOGIN ${secret}`)}}`,
    jsonTwice: JSON.stringify({ body: JSON.stringify({ password: secret }) }),
    url: `https://mail.example/login?u=${encodeURIComponent(USER)}&p=${encodeURIComponent(secret)}`,
    urlLower: `p=${encodeURIComponent(secret).replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase())}`,
    form: `p=${new URLSearchParams({ p: secret }).toString().slice(2)}`,
    plain: `AUTHENTICATE PLAIN ${b64(`\u0000${USER}\u0000${secret}`)}`,
    plainAuthzid: `AUTH PLAIN ${b64(`admin@example.org\u0000${USER}\u0000${secret}`)}`,
    plainAuthzidOdd: `AUTH PLAIN ${b64(`x\u0000${USER}\u0000${secret}`)}`,
    plainUrlSafe: `AUTH PLAIN ${b64(`a\u0000${USER}\u0000${secret}`).replace(/\+/g, '-').replace(/\//g, '_')}`,
    login: `+ ${b64(secret)}`,
    xoauth2: `AUTHENTICATE XOAUTH2 ${b64(`user=${USER}\u0001auth=Bearer ${secret}\u0001\u0001`)}`,
  };
}

test('redactText removes every quoted, escaped and encoded form of passwords full of special characters', () => {
  for (const secret of PASSWORDS) {
    for (const [name, text] of Object.entries(forms(secret))) {
      const out = redactText(text, [{ secret, user: USER }]);
      assert.ok(out.includes('[redacted]'), `${name} of ${JSON.stringify(secret)}: ${out}`);
      for (const left of [
        secret,
        imapQuoted(secret).slice(1, -1),
        JSON.stringify(secret).slice(1, -1),
        encodeURIComponent(secret),
        b64(secret),
      ]) {
        assert.ok(
          !out.includes(left),
          `${name} of ${JSON.stringify(secret)}: ${JSON.stringify(left)} left in ${out}`,
        );
      }
    }
  }
});

test('redactText leaves ordinary text alone', () => {
  const text = 'A1 NO [AUTHENTICATIONFAILED] Authentication failed. dGhpcyBpcyBmaW5l';
  assert.equal(redactText(text, [{ secret: 'hunter2!', user: USER }]), text);
  assert.equal(redactText('a b c', [{ secret: 'a' }]), 'a b c', 'too short to search for');
});

test('redactSecret reaches causes nested at any depth, and errors in arrays and aggregates', () => {
  const secret = PASSWORDS[0]!;
  let error: Error = new Error(`deepest ${imapQuoted(secret)}`);
  const deepest = error;
  for (let level = 0; level < 12; level++) error = new Error(`level ${level}`, { cause: error });
  const aggregate = new AggregateError([error, new Error(`sibling ${secret}`)], 'all failed');
  const outer = Object.assign(new Error('outer'), { details: [{ response: `echo ${secret}` }] });
  outer.cause = aggregate;
  // A cycle must not loop.
  (deepest as Error & { back?: unknown }).back = outer;
  redactSecret(outer, secret, USER);
  const all: string[] = [];
  const seen = new Set<unknown>();
  const walk = (value: unknown): void => {
    if (typeof value === 'string') all.push(value);
    if (typeof value !== 'object' || value === null || seen.has(value)) return;
    seen.add(value);
    for (const key of Object.getOwnPropertyNames(value)) walk((value as Record<string, unknown>)[key]);
  };
  walk(outer);
  for (const text of all) {
    assert.ok(!text.includes(secret), text);
    assert.ok(!text.includes(imapQuoted(secret).slice(1, -1)), text);
  }
  assert.equal(deepest.message, 'deepest "[redacted]"');
});

test('redactSecrets redacts several secrets at once (every password, the pairing token)', () => {
  const error = new Error(`relay token tok-3xYZ_abc and password ${encodeURIComponent('p@ss word')}`);
  redactSecrets(error, [{ secret: 'tok-3xYZ_abc' }, { secret: 'p@ss word', user: USER }]);
  assert.equal(error.message, 'relay token [redacted] and password [redacted]');
});
