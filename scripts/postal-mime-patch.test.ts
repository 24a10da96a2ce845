/**
 * The postal-mime patch gives exactly what the unpatched parser gives, for every fixture and
 * for generated mail of every kind, and leaves no Blob in the decoders.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import * as esbuild from 'esbuild';
import PostalMime from 'postal-mime';
import { makeMessage } from '../test/servers/messages.ts';
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
  return list;
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
