/**
 * `npm run package` (after `npm run build`): writes what users install to dist/packages/:
 *   biff-chrome-<version>.zip     the Chrome extension, as the Chrome Web Store takes it
 *   biff-firefox-<version>.zip    the Firefox add-on, as addons.mozilla.org takes it
 *   biff-relay-<relay>.tgz        the relay's npm package (`npm install -g ./biff-relay-….tgz`)
 *   biff-relay-<relay>.mjs        the relay as one file, dependencies inlined (`node biff-relay-….mjs`)
 * Extension packages carry package.json's version (which must equal manifest.json's); the
 * relay's carry relay/package.json's. The relay package is staged in dist/relay-package/.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import webExt from 'web-ext';

const root = join(import.meta.dirname, '..');
const dist = join(root, 'dist');
const packagesDir = join(dist, 'packages');

/** The `version` of a package.json (or manifest.json) in the repository. */
export function version(path: string): string {
  return (JSON.parse(readFileSync(join(root, path), 'utf8')) as { version: string }).version;
}

/** `biff-relay-<relay version>.<ext>` */
export function relayFileName(ext: 'tgz' | 'mjs'): string {
  return `biff-relay-${version('relay/package.json')}.${ext}`;
}

/** ws loads these native speed-ups if installed; without them it uses plain JS. */
const WS_OPTIONAL = ['bufferutil', 'utf-8-validate'];

/**
 * The relay's command line as one ESM file. ws is CommonJS and requires Node built-ins (and,
 * optionally, bufferutil): the banner gives the bundle a `require` that resolves next to it.
 */
export async function bundleRelay(outfile: string, inlineWs: boolean): Promise<void> {
  await esbuild.build({
    stdin: {
      contents: "import { main } from './main.ts';\nawait main(process.argv.slice(2));\n",
      resolveDir: join(root, 'relay'),
      sourcefile: 'biff-relay.ts',
      loader: 'ts',
    },
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: inlineWs ? WS_OPTIONAL : ['ws', ...WS_OPTIONAL],
    banner: {
      js: "#!/usr/bin/env node\nimport { createRequire as __biffRequire } from 'node:module';\nconst require = __biffRequire(import.meta.url);",
    },
    legalComments: 'eof',
    logLevel: 'warning',
  });
  chmodSync(outfile, 0o755);
}

/** Stages relay/ as an npm package in `stage` and packs it into `out`; returns the tarball's path. */
export async function packRelay(out: string, stage = join(dist, 'relay-package')): Promise<string> {
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(join(stage, 'bin'), { recursive: true });
  mkdirSync(out, { recursive: true });
  for (const file of ['PROTOCOL.md', 'README.md']) copyFileSync(join(root, 'relay', file), join(stage, file));
  // Without relay/package.json's prepack guard, which stops `npm pack` of the unbundled sources.
  const { scripts: _guard, ...manifest } = JSON.parse(
    readFileSync(join(root, 'relay', 'package.json'), 'utf8'),
  );
  writeFileSync(join(stage, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  await bundleRelay(join(stage, 'bin', 'biff-relay.js'), false);
  const packed = spawnSync('npm', ['pack', '--pack-destination', out, '--silent'], {
    cwd: stage,
    encoding: 'utf8',
  });
  if (packed.status !== 0) throw new Error(`npm pack failed: ${packed.stdout}${packed.stderr}`);
  const tarball = join(out, relayFileName('tgz'));
  if (!existsSync(tarball)) throw new Error(`npm pack did not write ${tarball}`);
  return tarball;
}

/** Zips dist/<target> into `out` as `biff-<target>-<version>.zip`; returns its path. */
export async function zipExtension(
  target: 'chrome' | 'firefox',
  extensionVersion: string,
  out: string = packagesDir,
): Promise<string> {
  const sourceDir = join(dist, target);
  if (!existsSync(join(sourceDir, 'manifest.json')))
    throw new Error(`${sourceDir} is missing: run npm run build first`);
  const filename = `biff-${target}-${extensionVersion}.zip`;
  await webExt.cmd.build(
    { sourceDir, artifactsDir: out, filename, overwriteDest: true },
    { shouldExitProgram: false, showReadyMessage: false },
  );
  return join(out, filename);
}

async function main(): Promise<void> {
  const extensionVersion = version('package.json');
  const manifestVersion = version('manifest.json');
  if (manifestVersion !== extensionVersion) {
    throw new Error(
      `manifest.json says ${manifestVersion}, package.json ${extensionVersion}: make them equal`,
    );
  }
  const out = packagesDir;
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const written = [
    await zipExtension('chrome', extensionVersion),
    await zipExtension('firefox', extensionVersion),
    await packRelay(out),
  ];
  const single = join(out, relayFileName('mjs'));
  await bundleRelay(single, true);
  written.push(single);
  console.log(`wrote\n${written.map((f) => `  ${f}`).join('\n')}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
