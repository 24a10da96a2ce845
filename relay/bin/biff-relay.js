#!/usr/bin/env node
// Launcher of biff-relay (the relay itself is TypeScript, relay/*.ts; flags and protocol in
// relay/PROTOCOL.md).
//
// Why not simply register tsx and import ../main.ts: tsx's loader runs in a second thread
// and costs seconds of startup and ~35 MB on a busy machine, for every start. So:
//   1. hash the relay's sources (and the versions of Node, ws and esbuild, and where the
//      relay lives);
//   2. if $XDG_CACHE_HOME/biff/relay-<hash>.mjs is missing, bundle relay/main.ts into it
//      with esbuild (tsx's own dependency) — once per change of the sources;
//   3. import that bundle.
// If anything in 1–2 fails (no esbuild, read-only cache), fall back to tsx's loader.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const relayDir = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);

function cacheDir() {
  const xdg = process.env.XDG_CACHE_HOME;
  return join(xdg && isAbsolute(xdg) ? xdg : join(homedir(), '.cache'), 'biff');
}

function sourceHash() {
  const hash = createHash('sha256').update(process.version);
  for (const name of readdirSync(relayDir).sort()) {
    if (!name.endsWith('.ts') || name.endsWith('.test.ts')) continue;
    hash
      .update(`${name}\0`)
      .update(readFileSync(join(relayDir, name)))
      .update('\0');
  }
  // The bundle names relayDir (its require resolves from there), so a moved checkout rebuilds.
  hash.update(`${relayDir}\0`);
  hash.update(readFileSync(require.resolve('ws/package.json')));
  hash.update(readFileSync(require.resolve('esbuild/package.json')));
  return hash.digest('hex').slice(0, 24);
}

function bundled() {
  const dir = cacheDir();
  const file = join(dir, `relay-${sourceHash()}.mjs`);
  if (existsSync(file)) return file;
  const esbuild = require('esbuild');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const partial = `${file}.${process.pid}.tmp`;
  try {
    esbuild.buildSync({
      entryPoints: [join(relayDir, 'main.ts')],
      outfile: partial,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      // ws loads these native speed-ups if installed (bufferutil: unmasking the extension's
      // frames in C, an optional dependency); without them it uses plain JS.
      external: ['bufferutil', 'utf-8-validate'],
      // ws is CommonJS and requires Node built-ins and those optional packages: give the ESM
      // bundle a require that resolves from relay/, as the sources would, not from the cache
      // directory, where no node_modules is.
      banner: {
        js: `import { createRequire as __biffRequire } from 'node:module'; const require = __biffRequire(${JSON.stringify(pathToFileURL(join(relayDir, 'main.ts')).href)});`,
      },
      logLevel: 'silent',
    });
    renameSync(partial, file);
  } finally {
    rmSync(partial, { force: true });
  }
  return file;
}

let entry;
try {
  entry = pathToFileURL(bundled()).href;
} catch {
  const { register } = await import('tsx/esm/api');
  register();
  entry = new URL('../main.ts', import.meta.url).href;
}
const { main } = await import(entry);
await main(process.argv.slice(2));
