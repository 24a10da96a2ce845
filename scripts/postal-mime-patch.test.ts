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
import { postalMimeWithoutBlobs } from './postal-mime-patch.ts';

const ROOT = join(import.meta.dirname, '..');

async function patchedPostalMime(): Promise<typeof PostalMime> {
  const result = await esbuild.build({
    stdin: { contents: "export { default } from 'postal-mime';", resolveDir: ROOT },
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'neutral',
    logLevel: 'silent',
    plugins: [postalMimeWithoutBlobs],
  });
  const code = result.outputFiles[0]!.text;
  assert.ok(!code.includes('new Blob(this.chunks'), 'no decoder joins its chunks with a Blob');
  const module = (await import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`)) as {
    default: typeof PostalMime;
  };
  return module.default;
}

test('patched postal-mime parses every fixture and generated kind exactly as the original', async () => {
  const Patched = await patchedPostalMime();
  const fixtures = join(ROOT, 'test/fixtures/mail');
  const inputs: Array<[string, Uint8Array]> = readdirSync(fixtures)
    .filter((f) => f.endsWith('.eml'))
    .map((f) => [f, new Uint8Array(readFileSync(join(fixtures, f)))]);
  for (const kind of ['plain', 'reply', 'alternative', 'newsletter', 'attachment'] as const)
    inputs.push([kind, new TextEncoder().encode(makeMessage(1, { kind, size: 30_000 }).raw)]);
  for (const [name, raw] of inputs) {
    for (const attachmentEncoding of ['arraybuffer', 'base64'] as const) {
      // A hostile fixture makes both throw: then the same error.
      const outcome = (parser: typeof PostalMime) =>
        parser.parse(raw, { attachmentEncoding }).catch((error: Error) => ({ error: error.message }));
      assert.deepEqual(await outcome(Patched), await outcome(PostalMime), `${name} (${attachmentEncoding})`);
    }
  }
});
