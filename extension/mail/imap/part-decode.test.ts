import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeBase64Prefix, decodePartPrefix, decodeQuotedPrintablePrefix } from './part-decode.ts';

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

test('base64 decodes across line breaks and at every cut position', () => {
  const source = 'Grüße aus Köln, 東京 too';
  const encoded = Buffer.from(source)
    .toString('base64')
    .replace(/(.{8})/g, '$1\r\n');
  assert.equal(text(decodeBase64Prefix(bytes(encoded))), source);
  const full = Buffer.from(source);
  for (let cut = 0; cut <= encoded.length; cut++) {
    const got = decodeBase64Prefix(bytes(encoded.slice(0, cut)));
    // Every byte decoded is a correct prefix of the source bytes.
    assert.deepEqual(Buffer.from(got), full.subarray(0, got.length), `cut at ${cut}`);
  }
});

test('quoted-printable handles soft breaks, cut escapes and malformed escapes', () => {
  assert.equal(text(decodeQuotedPrintablePrefix(bytes('caf=C3=A9 =\r\nau lait'))), 'café au lait');
  assert.equal(text(decodeQuotedPrintablePrefix(bytes('soft=\nbreak'))), 'softbreak');
  assert.equal(text(decodeQuotedPrintablePrefix(bytes('a=C3=A'))), 'a\ufffd');
  assert.equal(text(decodeQuotedPrintablePrefix(bytes('cut='))), 'cut');
  assert.equal(text(decodeQuotedPrintablePrefix(bytes('cut=4'))), 'cut');
  assert.equal(text(decodeQuotedPrintablePrefix(bytes('1+1=2 =ZZ'))), '1+1=2 =ZZ');
});

test('decodePartPrefix applies the charset and drops a cut multi-byte character', () => {
  const latin1 = Buffer.from('Gr\u00fc\u00dfe', 'latin1');
  assert.equal(decodePartPrefix(latin1, '8bit', 'iso-8859-1'), 'Grüße');
  const utf8 = Buffer.from('ab東');
  assert.equal(decodePartPrefix(utf8.subarray(0, 4), '8bit', 'utf-8'), 'ab');
  const qp = bytes('=E6=9D=B1=E4=BA');
  assert.equal(decodePartPrefix(qp, 'quoted-printable', 'UTF-8'), '東');
  assert.equal(decodePartPrefix(bytes('plain'), '7bit', 'x-unknown-charset'), 'plain');
});

test('decodePartPrefix: a character cut off one part never carries into the next (decoders are shared)', () => {
  const cut = Buffer.from('ab東').subarray(0, 4);
  const continuation = Buffer.from([0x9d, 0xb1, 0x63]);
  assert.equal(decodePartPrefix(cut, '8bit', 'utf-8'), 'ab');
  assert.equal(decodePartPrefix(continuation, '8bit', 'utf-8'), '\ufffd\ufffdc');
  assert.equal(decodePartPrefix(cut, '8bit', 'UTF-8'), 'ab');
  assert.equal(decodePartPrefix(Buffer.from('x'), '8bit', 'utf-8'), 'x');
});

test('decodePartPrefix: parts decoded one after another (into one scratch buffer) do not bleed into each other', () => {
  const long = `${'=C3=A9'.repeat(4000)}end`; // 24,003 bytes: more than the scratch holds at first
  assert.equal(decodePartPrefix(bytes(long), 'quoted-printable', 'utf-8'), `${'é'.repeat(4000)}end`);
  assert.equal(decodePartPrefix(bytes('short=21'), 'quoted-printable', 'utf-8'), 'short!');
  const b64 = Buffer.from('Grüße').toString('base64');
  assert.equal(decodePartPrefix(bytes(b64), 'base64', 'utf-8'), 'Grüße');
  assert.equal(decodePartPrefix(bytes('=41'), 'quoted-printable', 'utf-8'), 'A');
});
