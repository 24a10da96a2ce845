/**
 * The imapflow patch hands the parser exactly what the unpatched ImapStream hands it, however
 * the input is cut into chunks, and keeps a literal that arrived in one chunk as a view of it.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import { ImapStream } from 'imapflow/lib/handler/imap-stream.js';
import { imapflowLiteralsAsIs } from './imapflow-patch.ts';

const ROOT = join(import.meta.dirname, '..');

async function patchedImapStream(): Promise<typeof ImapStream> {
  const entry = fileURLToPath(import.meta.resolve('imapflow/lib/handler/imap-stream.js'));
  const result = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'node',
    // imapflow's own modules are bundled (the patched one among them), packages stay imports.
    packages: 'external',
    logLevel: 'silent',
    plugins: [imapflowLiteralsAsIs],
  });
  const code = result.outputFiles[0]!.text;
  assert.ok(code.includes('this.literalBuffer.length === 1 ? this.literalBuffer[0]'), 'the patch applied');
  // Written inside the repository so that the packages it imports resolve from node_modules.
  mkdirSync(join(ROOT, '.tmp'), { recursive: true });
  const dir = mkdtempSync(join(ROOT, '.tmp/imapflow-patch-'));
  const file = join(dir, 'imap-stream.mjs');
  writeFileSync(file, code);
  try {
    return ((await import(pathToFileURL(file).href)) as { ImapStream: typeof ImapStream }).ImapStream;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface Item {
  payload: Buffer;
  literals: Buffer[];
}

/** What `Stream` pushes for `chunks`, as payload and literal bytes. */
async function parse(
  Stream: typeof ImapStream,
  chunks: Buffer[],
): Promise<{ items: Item[]; views: boolean[] }> {
  const stream = new Stream({
    logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {} },
  } as never);
  const items: Item[] = [];
  const views: boolean[] = [];
  stream.on('readable', () => {
    for (let item = stream.read(); item !== null; item = stream.read()) {
      const { payload, literals, next } = item as Item & { next: () => void };
      items.push({ payload: Buffer.from(payload), literals: literals.map((l) => Buffer.from(l)) });
      views.push(...literals.map((l) => chunks.some((c) => c.buffer === l.buffer)));
      next();
    }
  });
  for (const chunk of chunks) stream.write(chunk);
  await new Promise((resolve) => setImmediate(resolve));
  stream.end();
  await new Promise((resolve) => stream.once('end', resolve).resume());
  return { items, views };
}

const literal = Buffer.from('Grüße aus Köln\r\n'.repeat(40));
const wire = Buffer.concat([
  Buffer.from(`* 1 FETCH (UID 7 BODY[1]<0> {${literal.length}}\r\n`),
  literal,
  Buffer.from(` FLAGS (\\Seen))\r\n* 2 FETCH (UID 8 BODY[1]<0> {3}\r\nabc)\r\nA1 OK done\r\n`),
]);

test('patched ImapStream gives what the original gives, for every cut of the input', async () => {
  const Patched = await patchedImapStream();
  for (let cut = 0; cut <= wire.length; cut += 7) {
    const chunks = [wire.subarray(0, cut), wire.subarray(cut)].filter((c) => c.length > 0);
    const copy = () => chunks.map((c) => Buffer.from(c));
    assert.deepEqual(
      (await parse(Patched, copy())).items,
      (await parse(ImapStream, copy())).items,
      `cut ${cut}`,
    );
  }
});

/** A Buffer over an ArrayBuffer of its own (Node's small Buffers share a pool). */
function ownBuffer(bytes: Uint8Array): Buffer {
  const buffer = new ArrayBuffer(bytes.length);
  new Uint8Array(buffer).set(bytes);
  return Buffer.from(buffer);
}

test('a literal that arrived in one chunk is a view of it, not a copy', async () => {
  const Patched = await patchedImapStream();
  assert.deepEqual((await parse(Patched, [ownBuffer(wire)])).views, [true, true]);
  assert.deepEqual((await parse(ImapStream, [ownBuffer(wire)])).views, [false, false]);
});
