/**
 * The postal-mime patch gives exactly what the unpatched parser gives, for every fixture and
 * for generated mail of every kind, and leaves no Blob in the decoders. In digest mode only the
 * content of non-text parts differs (empty), and a downloaded message's summary is the same as
 * with the unpatched parser, which decodes everything.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import * as esbuild from 'esbuild';
import type { Attachment, Email } from 'postal-mime';
import PostalMime from 'postal-mime';
import { fullDownload } from '../extension/mail/pop3/download.ts';
import { DIGEST_ONLY } from '../extension/node-shims/postal-mime-digest.ts';
import { makeMailbox, makeMessage } from '../test/servers/messages.ts';
import { postalMimePatch } from './postal-mime-patch.ts';

const ROOT = join(import.meta.dirname, '..');

/** `contents` bundled as the extension bundles it (with the patch), imported as a module. */
async function patched<T>(contents: string): Promise<T> {
  const result = await esbuild.build({
    stdin: { contents, resolveDir: ROOT, loader: 'ts' },
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'neutral',
    logLevel: 'silent',
    plugins: [postalMimePatch],
  });
  const code = result.outputFiles[0]!.text;
  assert.ok(!code.includes('new Blob(this.chunks'), 'no decoder joins its chunks with a Blob');
  // esbuild prints the call with double quotes: the regex is what matters.
  assert.ok(code.includes('/[ \\t]{2,}|\\t/g'), 'htmlToText replaces only the blanks that change');
  return (await import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`)) as T;
}

function inputs(): Array<[string, Uint8Array]> {
  const fixtures = join(ROOT, 'test/fixtures/mail');
  const list: Array<[string, Uint8Array]> = readdirSync(fixtures)
    .filter((f) => f.endsWith('.eml'))
    .map((f) => [f, new Uint8Array(readFileSync(join(fixtures, f)))]);
  for (const kind of ['plain', 'reply', 'alternative', 'newsletter', 'attachment'] as const)
    list.push([kind, new TextEncoder().encode(makeMessage(1, { kind, size: 30_000 }).raw)]);
  // Quoted-printable at its edges: escapes at line ends, soft breaks, broken escapes.
  const lines = [
    '=',
    '==',
    '=4',
    '=41',
    '=41=',
    '=4G',
    'a=3D=3Db=',
    '==41',
    '=\r',
    'x=4',
    'x=41',
    '=e9t=C3=A9',
  ];
  const qp = [...lines, ...lines.map((line) => `text ${line} more`), lines.join('')].join('\r\n');
  for (const type of ['text/plain; charset=utf-8', 'application/octet-stream'])
    list.push([
      `quoted-printable ${type}`,
      new TextEncoder().encode(
        `Subject: qp\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n` +
          `Content-Type: ${type}\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n${qp}\r\n--b--\r\n`,
      ),
    ]);
  // An HTML message forwarded inline beside a text part: postal-mime renders its HTML as text
  // (htmlToText), blanks of every kind and run length included.
  const blanks = [
    'a b',
    'a  b',
    'a\tb',
    'a \t b',
    'a\t\tb',
    ' lead',
    'trail ',
    'a\u00a0 b',
    ' \t ',
    'x   \ty',
  ];
  const html = blanks.map((b, i) => `<p>${b}</p>${i % 2 ? '\r\n' : ''}<b> ${b} </b>\t<br>  `).join('');
  list.push([
    'forwarded HTML',
    new TextEncoder().encode(
      `Subject: fwd\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n` +
        `--b\r\nContent-Type: text/plain\r\n\r\nSee  below,\tplease.\r\n--b\r\nContent-Type: message/rfc822\r\n\r\n` +
        `Subject: inner\r\nContent-Type: text/html; charset=utf-8\r\n\r\n${html}\r\n--b--\r\n`,
    ),
  ]);
  return list;
}

/** The benchmark's maildrop (bench/cases/pop3.ts): 1,000 messages of every kind and size. */
function benchMessages(): Array<[string, Uint8Array]> {
  return makeMailbox(1000, { size: 'mixed', seed: 3 }).map((m, i) => [
    `bench message ${i + 1}`,
    new TextEncoder().encode(m.raw),
  ]);
}

test('patched postal-mime parses every fixture and generated kind exactly as the original', async () => {
  const { default: Patched } = await patched<{ default: typeof PostalMime }>(
    "export { default } from 'postal-mime';",
  );
  for (const [name, raw] of inputs()) {
    for (const attachmentEncoding of ['arraybuffer', 'base64'] as const) {
      // A hostile fixture makes both throw: then the same error.
      const outcome = (parser: typeof PostalMime) =>
        parser.parse(raw, { attachmentEncoding }).catch((error: Error) => ({ error: error.message }));
      assert.deepEqual(await outcome(Patched), await outcome(PostalMime), `${name} (${attachmentEncoding})`);
    }
  }
});

test('in digest mode only the content of parts that are not text or a message is left out', async () => {
  const { default: Patched } = await patched<{ default: typeof PostalMime }>(
    "export { default } from 'postal-mime';",
  );
  const digestOptions = { attachmentEncoding: 'arraybuffer', [DIGEST_ONLY]: true } as const;
  const isText = (a: Attachment) =>
    /^(?:text|message)\//.test(a.mimeType) || a.mimeType === 'application/ics';
  let skipped = 0;
  for (const [name, raw] of [...inputs(), ...benchMessages()]) {
    const full = await PostalMime.parse(raw).catch((error: Error) => ({ error: error.message }));
    const digest = await Patched.parse(raw, digestOptions).catch((error: Error) => ({
      error: error.message,
    }));
    if ('error' in full) {
      assert.deepEqual(digest, full, name);
      continue;
    }
    const email = digest as Email;
    for (const [i, a] of full.attachments.entries()) {
      if (isText(a)) continue;
      assert.equal((email.attachments[i]!.content as ArrayBuffer).byteLength, 0, `${name}: ${a.mimeType}`);
      if ((a.content as ArrayBuffer).byteLength > 0) skipped++;
      a.content = email.attachments[i]!.content;
    }
    assert.deepEqual(email, full, name);
  }
  assert.ok(skipped > 100, `attachments were left undecoded (${skipped})`);
});

test('a downloaded message gets the same summary from the digest parse as from the full one', async () => {
  const { fullDownload: patchedDownload } = await patched<{ fullDownload: typeof fullDownload }>(
    "export { fullDownload } from './extension/mail/pop3/download.ts';",
  );
  const now = Date.UTC(2026, 0, 1);
  for (const [name, raw] of [...inputs(), ...benchMessages()]) {
    // Unbundled, postal-mime is not patched: the digest option is ignored, every part decoded.
    const full = await fullDownload('uid', null, raw, now);
    const digest = await patchedDownload('uid', null, raw, now);
    assert.deepEqual(digest, full, name);
  }
});
