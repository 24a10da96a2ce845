/**
 * An esbuild plugin for the extension's bundles, patching postal-mime in four places. The
 * build fails if a new postal-mime no longer has the code patched, rather than silently
 * shipping the slow path.
 *
 * 1. Its three body decoders join their output with `blobToArrayBuffer(new Blob(chunks))`,
 *    which in Chromium sends every decoded part through the browser process twice (Blob
 *    registry, then the read back): 70 % of the worker's CPU in a 1,000-message POP3 download.
 *    That expression becomes `concatChunks(chunks)` (extension/node-shims/concat-chunks.ts),
 *    which gives the same bytes; in the base64 and quoted-printable decoders, whose chunks are
 *    their own, `joinOwnedChunks`, which also skips the copy of a single chunk.
 * 2. MimeNode picks a part's decoder in `setupContentDecoder`: in digest mode (an option of the
 *    parse) a part that cannot be text gets one that discards its content
 *    (extension/node-shims/postal-mime-digest.ts), for the summary of a downloaded message.
 * 3. The quoted-printable decoder looks for "=" byte by byte in JavaScript; it jumps from one
 *    "=" to the next with `indexOf` instead, visiting the same positions in the same order
 *    (the decoder's `update` was 6–7 % of the worker's busy time in a POP3 download; in Node,
 *    parsing the benchmark's 983 messages with quoted-printable took ~25 % less with this and the joins above).
 * 4. Its htmlToText (an HTML part rendered as text beside plain-text parts, as in a forwarded
 *    HTML message) collapses blanks with `.replace(/[ \t]+/g, ' ')`, which matches the single
 *    space between every two words and replaces it with itself: 750 ms of a 5 MB HTML part's
 *    1.2 s rendering, in one synchronous call that no time slice can cut (time-slice.ts). Only
 *    the runs that change are matched instead (`[ \t]{2,}|\t`): the same text.
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Plugin } from 'esbuild';

const SHIMS = resolve(import.meta.dirname, '../extension/node-shims');
const CONCAT = join(SHIMS, 'concat-chunks.ts');
const DIGEST = join(SHIMS, 'postal-mime-digest.ts');
const MODULES =
  /[\\/]postal-mime[\\/]dist[\\/]esm[\\/](pass-through-decoder|base64-decoder|qp-decoder|mime-node|text-format)\.js$/;
const BLOB_JOIN = "blobToArrayBuffer(new Blob(this.chunks, { type: 'application/octet-stream' }))";
const SETUP_DECODER = 'setupContentDecoder(transferEncoding) {';
// Whitespace-exact, as in postal-mime's dist: any change there fails the build.
const QP_SCAN = `for (let i = 0; i < len; i++) {
            if (line[i] !== CHR_EQUALS || i + 2 >= len) {
                continue;
            }`;
// The loop stops at the first "=" too close to the end, after which the original did nothing.
const QP_JUMP =
  'for (let i = line.indexOf(CHR_EQUALS); i !== -1 && i + 2 < len; i = line.indexOf(CHR_EQUALS, i + 1)) {';

const BLANK_RUNS = ".replace(/[ \\t]+/g, ' ')";
// A single space is left alone: replacing it with itself was the cost.
const CHANGED_BLANK_RUNS = ".replace(/[ \\t]{2,}|\\t/g, ' ')";

function patch(path: string, source: string): string {
  const changed = () => new Error(`${path}: postal-mime changed; update scripts/postal-mime-patch.ts`);
  if (path.endsWith('text-format.js')) {
    if (source.split(BLANK_RUNS).length !== 2) throw changed();
    return source.replace(BLANK_RUNS, CHANGED_BLANK_RUNS);
  }
  if (path.endsWith('mime-node.js')) {
    if (source.split(SETUP_DECODER).length !== 2) throw changed();
    return (
      `import { skipsContent as __biffSkipsContent, DiscardingDecoder as __BiffDiscardingDecoder } from ${JSON.stringify(DIGEST)};\n` +
      source.replace(
        SETUP_DECODER,
        `${SETUP_DECODER} if (__biffSkipsContent(this)) { this.contentDecoder = new __BiffDiscardingDecoder(); return; }`,
      )
    );
  }
  if (!source.includes(BLOB_JOIN)) throw changed();
  if (path.endsWith('qp-decoder.js')) {
    if (source.split(QP_SCAN).length !== 2) throw changed();
    source = source.replace(QP_SCAN, QP_JUMP);
  }
  const join = path.endsWith('pass-through-decoder.js') ? 'concatChunks' : 'joinOwnedChunks';
  return `import { ${join} as __biffJoin } from ${JSON.stringify(CONCAT)};\n${source.replace(BLOB_JOIN, '__biffJoin(this.chunks)')}`;
}

export const postalMimePatch: Plugin = {
  name: 'postal-mime-patch',
  setup(build) {
    build.onLoad({ filter: MODULES }, async (args) => ({
      contents: patch(args.path, await readFile(args.path, 'utf8')),
      loader: 'js',
      resolveDir: join(args.path, '..'),
    }));
  },
};
