import assert from 'node:assert/strict';
import { test } from 'node:test';
import realEncoding from 'encoding-japanese';
import { convert } from './encoding-japanese.ts';

const TEXT = '日本語のメールです。ｶﾀｶﾅ and ASCII';

test('convert decodes JIS, EUC-JP and Shift_JIS as encoding-japanese does, by name or detected', () => {
  for (const from of ['JIS', 'EUCJP', 'SJIS'] as const) {
    const bytes = Uint8Array.from(
      realEncoding.convert(realEncoding.stringToCode(TEXT), { to: from, from: 'UNICODE' }),
    );
    const expected = realEncoding.convert(bytes, { to: 'UNICODE', from, type: 'string' });
    assert.equal(convert(bytes, { to: 'UNICODE', from, type: 'string' }), expected, from);
    assert.equal(
      convert(bytes, { to: 'UNICODE', from: 'AUTO', type: 'string' }),
      expected,
      `${from} detected`,
    );
  }
  const jis = Uint8Array.from(
    realEncoding.convert(realEncoding.stringToCode('件名'), { to: 'JIS', from: 'UNICODE' }),
  );
  // libmime passes MIME labels as they are.
  assert.equal(convert(jis, { to: 'UNICODE', from: 'ISO-2022-JP', type: 'string' }), '件名');
  assert.equal(convert(Buffer.from('plain'), { to: 'UNICODE', from: 'AUTO', type: 'string' }), 'plain');
});

test('convert refuses what the extension never asks for', () => {
  assert.throws(() => convert([0x41], { to: 'SJIS', from: 'UNICODE' }), /only conversion/);
  assert.throws(
    () => convert([0x41], { to: 'UNICODE', from: 'NO-SUCH', type: 'string' }),
    /unknown encoding/,
  );
});
