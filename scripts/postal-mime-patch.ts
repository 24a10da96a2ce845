/**
 * An esbuild plugin for the extension's bundles: postal-mime's three body decoders join their
 * output with `blobToArrayBuffer(new Blob(chunks))`, which in Chromium sends every decoded part
 * through the browser process twice (Blob registry, then the read back): 70 % of the worker's
 * CPU in a 1,000-message POP3 download. The plugin replaces that one expression with
 * `concatChunks(chunks)` (extension/node-shims/concat-chunks.ts), which gives the same bytes.
 * The build fails if a new postal-mime no longer has the expression, rather than silently
 * shipping the slow path.
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Plugin } from 'esbuild';

const CONCAT = resolve(import.meta.dirname, '../extension/node-shims/concat-chunks.ts');
const DECODERS =
  /[\\/]postal-mime[\\/]dist[\\/]esm[\\/](pass-through-decoder|base64-decoder|qp-decoder)\.js$/;
const BLOB_JOIN = "blobToArrayBuffer(new Blob(this.chunks, { type: 'application/octet-stream' }))";

export const postalMimeWithoutBlobs: Plugin = {
  name: 'postal-mime-without-blobs',
  setup(build) {
    build.onLoad({ filter: DECODERS }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      if (!source.includes(BLOB_JOIN))
        throw new Error(`${args.path}: postal-mime changed; update scripts/postal-mime-patch.ts`);
      const patched = source.replace(BLOB_JOIN, '__biffConcatChunks(this.chunks)');
      return {
        contents: `import { concatChunks as __biffConcatChunks } from ${JSON.stringify(CONCAT)};\n${patched}`,
        loader: 'js',
        resolveDir: join(args.path, '..'),
      };
    });
  },
};
