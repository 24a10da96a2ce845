/**
 * The iconv-lite and encoding-japanese shims against the real packages (which Node resolves
 * here): what imapflow and libmime call gives the same text, including with the real libmime
 * and imapflow bundled against the shims exactly as scripts/build.ts aliases them.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import * as esbuild from 'esbuild';
import realIconv from 'iconv-lite';
import realLibmime from 'libmime';
import iconv from './iconv-lite.ts';
import { PACKAGE_SHIMS } from './package-shims.ts';

const FOLDERS = [
  'INBOX',
  'Entwürfe',
  'Отправленные',
  '下書き',
  'a&b',
  '&',
  '&&-',
  'emoji 📨 mail',
  'Mixed Ünïcødé & more/Sub',
  '~peter/mail/台北/日本語',
  'ß',
];

test('modified UTF-7: encodes IMAP folder names byte for byte as iconv-lite does, and decodes them back', () => {
  for (const name of FOLDERS) {
    const ours = iconv.encode(name, 'utf-7-imap').toString();
    assert.equal(ours, realIconv.encode(name, 'utf-7-imap').toString(), name);
    assert.equal(iconv.decode(Buffer.from(ours), 'utf-7-imap'), name, name);
  }
  assert.equal(iconv.encode('Entwürfe', 'utf-7-imap').toString(), 'Entw&APw-rfe');
  // Decoding what other servers send, split at every position.
  for (const name of FOLDERS) {
    const bytes = realIconv.encode(name, 'utf-7-imap');
    for (let cut = 0; cut <= bytes.length; cut++) {
      const decoder = iconv.getDecoder('utf-7-imap');
      const text =
        decoder.write(bytes.subarray(0, cut)) + decoder.write(bytes.subarray(cut)) + (decoder.end() ?? '');
      assert.equal(text, name, `${name} cut at ${cut}`);
    }
  }
});

test('UTF-7 (RFC 2152) decodes as iconv-lite does', () => {
  for (const text of ['Hi Mom -☺-!', 'A≢Α.', '日本語', '1 + 1 = 2', '+']) {
    const bytes = realIconv.encode(text, 'utf-7');
    assert.equal(iconv.decode(bytes, 'utf-7'), realIconv.decode(bytes, 'utf-7'), text);
  }
});

/** Text each charset can represent, and charsets to check it in. */
const SAMPLES: Array<[string, string[]]> = [
  ['Grüße, naïve café — “quoted” €5', ['windows-1252', 'utf-8', 'UTF8', 'utf-16le', 'utf-16be']],
  ['Grüße, naïve café €5', ['iso-8859-15', 'latin9']],
  ['Zażółć gęślą jaźń', ['iso-8859-2', 'windows-1250', 'ISO_8859-2']],
  ['Съешь же ещё этих мягких французских булок', ['koi8-r', 'windows-1251', 'iso-8859-5', 'cp866', 'KOI8-U']],
  ['你好，世界。邮件测试', ['gbk', 'gb2312', 'gb18030', 'GB_2312-80']],
  ['中文郵件測試', ['big5']],
  ['日本語のメールです', ['shift_jis', 'euc-jp', 'Windows-31J']],
  ['한국어 메일입니다', ['euc-kr', 'ks_c_5601-1987']],
  ['Ελληνικά γράμματα', ['iso-8859-7', 'windows-1253']],
  ['עברית', ['windows-1255']],
  ['😀 astral and ASCII', ['utf-32le', 'utf-32be', 'utf-16le']],
];

test('decode: the text of every sample charset, whole and streamed in 3-byte pieces', () => {
  for (const [text, charsets] of SAMPLES) {
    for (const charset of charsets) {
      const bytes = realIconv.encode(text, charset);
      assert.equal(realIconv.decode(bytes, charset), text, `the sample fits ${charset}`);
      assert.equal(iconv.decode(bytes, charset), text, charset);
      const decoder = iconv.getDecoder(charset);
      let streamed = '';
      for (let i = 0; i < bytes.length; i += 3) streamed += decoder.write(bytes.subarray(i, i + 3));
      streamed += decoder.end() ?? '';
      assert.equal(streamed, text, `${charset} streamed`);
    }
  }
});

test('ISO-2022-JP, which iconv-lite itself lacks, decodes natively', () => {
  const bytes = Buffer.from('1b2442467c4b5c386c244e2561213c256b244724391b2842', 'hex');
  assert.equal(iconv.decode(bytes, 'iso-2022-jp'), '日本語のメールです');
  assert.equal(iconv.decode(bytes, 'ISO_2022_JP'), '日本語のメールです');
});

test('UTF-16 and UTF-32 without a byte order: a BOM decides, else the first characters', () => {
  const text = 'Hello, wörld';
  assert.equal(iconv.decode(realIconv.encode(text, 'utf-16'), 'utf-16'), text);
  assert.equal(
    iconv.decode(Buffer.concat([Buffer.from([0xfe, 0xff]), realIconv.encode(text, 'utf-16be')]), 'UTF-16'),
    text,
  );
  assert.equal(iconv.decode(realIconv.encode(text, 'utf-16be'), 'utf-16'), text);
  assert.equal(iconv.decode(realIconv.encode(text, 'utf-16le'), 'utf-16'), text);
  assert.equal(iconv.decode(realIconv.encode(text, 'utf-32'), 'utf-32'), text);
  assert.equal(iconv.decode(realIconv.encode(text, 'utf-32be'), 'utf-32'), text);
  assert.equal(iconv.decode(Buffer.from([0x41, 0, 0, 0, 0x42, 0]), 'utf-32le'), 'A\ufffd');
});

test('codecs: one object per encoding whatever its name, iconv-lite errors for unknown names', () => {
  assert.equal(iconv.getCodec('utf7'), iconv.getCodec('UNICODE-1-1-UTF-7'));
  assert.equal(iconv.getCodec('utf-7-imap'), iconv.getCodec('UTF7IMAP'));
  assert.equal(iconv.getCodec('utf-8'), iconv.getCodec('UTF8'));
  assert.equal(iconv.getCodec('windows-1252'), iconv.getCodec('cp1252'));
  assert.notEqual(iconv.getCodec('utf-16'), iconv.getCodec('utf-16le'));
  assert.notEqual(iconv.getCodec('gbk').decoder, iconv.getCodec('big5').decoder);
  for (const name of ['base64', 'hex', 'utf-32', 'utf-16', 'iso-2022-jp'])
    assert.ok(iconv.encodingExists(name), name);
  assert.equal(iconv.encodingExists('x-no-such-charset'), false);
  assert.throws(() => iconv.getCodec('x-no-such-charset'), /Encoding not recognized/);
  assert.throws(() => iconv.encode('x', 'koi8-r'), /not available/);
  assert.equal(iconv.decode(Buffer.from([1, 255]), 'hex'), '01ff');
});

test('decodeStream emits the decoded text as strings', async () => {
  const stream = iconv.decodeStream('koi8-r');
  const bytes = realIconv.encode('Привет, мир', 'koi8-r');
  let text = '';
  stream.on('data', (chunk: string) => {
    text += chunk;
  });
  const ended = new Promise((resolve) => stream.on('end', resolve));
  stream.write(bytes.subarray(0, 3));
  stream.end(bytes.subarray(3));
  await ended;
  assert.equal(text, 'Привет, мир');
});

/** libmime and imapflow's tools bundled with the shims, as the service worker gets them. */
async function bundledWithShims(): Promise<{
  libmime: typeof realLibmime;
  tools: {
    encodePath(c: object, path: string): string;
    decodePath(c: object, path: string): string;
  };
}> {
  const root = join(import.meta.dirname, '../..');
  const result = await esbuild.build({
    stdin: {
      contents:
        "export { default as libmime } from 'libmime'; export * as tools from './node_modules/imapflow/dist/esm/tools.js';",
      resolveDir: root,
    },
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'node',
    logLevel: 'silent',
    plugins: [
      {
        name: 'package-shims',
        setup(build) {
          build.onResolve({ filter: /^(iconv-lite|encoding-japanese)$/ }, (a) => ({
            path: join(import.meta.dirname, PACKAGE_SHIMS[a.path]!),
          }));
        },
      },
    ],
  });
  const code = result.outputFiles[0]!.text;
  assert.ok(!code.includes('node_modules/iconv-lite'), 'the real iconv-lite is not in the bundle');
  assert.ok(
    !code.includes('node_modules/encoding-japanese'),
    'the real encoding-japanese is not in the bundle',
  );
  return import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`);
}

test('bundled libmime decodes encoded words in every sample charset as the real one does', async () => {
  const { libmime } = await bundledWithShims();
  const words = [
    '=?ISO-2022-JP?B?GyRCRnxLXDhsGyhC?=',
    '=?iso-2022-jp?B?GyRCJDMkcyRLJEEkTxsoQg==?= world',
    '=?UTF-8?Q?Gr=C3=BC=C3=9Fe?=',
    '=?windows-1251?B?z/Do4uXy?=',
    '=?KOI8-R?B?8NLJ18XU?=',
    '=?gb2312?B?xOO6ww==?=',
    '=?shift_jis?B?k/qWe4zq?=',
    '=?EUC-KR?B?x9Gx27ni?=',
    '=?iso-8859-2?Q?Za=BF=F3=B3=E6?=',
    '=?utf-7?Q?+ADw-script+AD4-?=',
    '=?x-unknown?Q?plain?=',
  ];
  for (const word of words) assert.equal(libmime.decodeWords(word), realLibmime.decodeWords(word), word);
  const stream = libmime.createDecodeStream('windows-1251');
  assert.equal(stream.supported, true);
});

test('bundled imapflow encodes and decodes folder names in modified UTF-7', async () => {
  const { tools } = await bundledWithShims();
  const connection = { enabled: new Set<string>(), capabilities: new Set(['IMAP4rev1']) };
  for (const name of FOLDERS) {
    const encoded = tools.encodePath(connection, name);
    assert.equal(encoded, realIconv.encode(name, 'utf-7-imap').toString() || name, name);
    assert.equal(tools.decodePath(connection, encoded), name, name);
  }
});
