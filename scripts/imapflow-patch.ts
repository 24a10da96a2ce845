/**
 * An esbuild plugin for the service-worker bundle: imapflow's ImapStream copies every literal
 * into a new Buffer (`Buffer.concat(this.literalBuffer)`) even when it arrived whole in one
 * input chunk, where the piece is already a view of its own bytes. In the service worker each
 * such allocation is slow (a 2 KiB ArrayBuffer cost 20-70 µs there, BENCHMARKS.md,
 * imap-initial), and an initial sync receives one literal per message (the preview bytes). The
 * plugin keeps a single piece as it is, as imapflow already does for lines
 * (`this.lineBuffer.length === 1 ? this.lineBuffer[0] : Buffer.concat(...)`). Input chunks are
 * never written to after they are parsed (the relay socket and the inflater hand over fresh
 * arrays), so sharing their bytes is safe. The build fails if imapflow no longer has the
 * expression, rather than silently shipping the copy.
 */
import { readFile } from 'node:fs/promises';
import type { Plugin } from 'esbuild';

const IMAP_STREAM = /[\\/]imapflow[\\/]dist[\\/]esm[\\/]handler[\\/]imap-stream\.js$/;
const LITERAL_COPY = 'this.literals.push(Buffer.concat(this.literalBuffer));';
const LITERAL_AS_IS =
  'this.literals.push(this.literalBuffer.length === 1 ? this.literalBuffer[0] : Buffer.concat(this.literalBuffer));';

export const imapflowLiteralsAsIs: Plugin = {
  name: 'imapflow-literals-as-is',
  setup(build) {
    build.onLoad({ filter: IMAP_STREAM }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      if (source.split(LITERAL_COPY).length !== 2)
        throw new Error(`${args.path}: imapflow changed; update scripts/imapflow-patch.ts`);
      return { contents: source.replace(LITERAL_COPY, LITERAL_AS_IS), loader: 'js' };
    });
  },
};
