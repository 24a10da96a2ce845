/**
 * `npm run build`: bundles the extension with esbuild into dist/chrome and dist/firefox, both
 * loadable unpacked. `--watch` rebuilds on change (unminified, with source maps); `--dev`
 * builds once unminified. Production builds are minified and their sizes printed.
 *
 * The service-worker bundle carries imapflow, which is written for Node: the resolver below
 * maps Node built-ins to browser shims (extension/node-shims/) and packages, and `inject`
 * provides Buffer, process and setImmediate.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';
import { PACKAGE_SHIMS } from '../extension/node-shims/package-shims.ts';
import { drawIcon, encodePng, ICON_SIZES } from './icons.ts';
import { imapflowLiteralsAsIs } from './imapflow-patch.ts';
import { postalMimePatch } from './postal-mime-patch.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const shims = join(root, 'extension/node-shims');
const argv = process.argv.slice(2);
const args = new Set(argv);
const watch = args.has('--watch');
/** `--no-keep-alive`: Firefox's background without background/keep-alive.ts, for bench/idle-cost.ts only. */
const noKeepAlive = args.has('--no-keep-alive');
const dev = watch || args.has('--dev');
/** `--out DIR`: build into DIR/chrome and DIR/firefox instead of dist/ (the benchmark builds its own copy). */
const outIndex = argv.indexOf('--out');
const distRoot = outIndex >= 0 && argv[outIndex + 1] ? resolve(argv[outIndex + 1]!) : join(root, 'dist');

export type BrowserTarget = 'chrome' | 'firefox';
const TARGETS: BrowserTarget[] = ['chrome', 'firefox'];

/** Node built-ins (with or without `node:`) → what the browser bundle uses instead. */
const NODE_SHIMS: Record<string, string> = {
  stream: resolvePackage('readable-stream'),
  // the trailing slash asks for the npm package, not Node's built-in of the same name
  events: resolvePackage('events/'),
  buffer: resolvePackage('buffer/'),
  string_decoder: resolvePackage('string_decoder/'),
  process: join(shims, 'process.ts'),
  crypto: join(shims, 'crypto.ts'),
  zlib: join(shims, 'zlib.ts'),
  path: join(shims, 'path.ts'),
  util: join(shims, 'util.ts'),
  assert: join(shims, 'assert.cjs'),
  net: join(shims, 'empty.ts'),
  tls: join(shims, 'empty.ts'),
  dns: join(shims, 'empty.ts'),
  fs: join(shims, 'empty.ts'),
  os: join(shims, 'empty.ts'),
};

function resolvePackage(pkg: string): string {
  return createRequire(import.meta.url).resolve(pkg);
}

const nodeShimPlugin: esbuild.Plugin = {
  name: 'node-shims',
  setup(build) {
    build.onResolve({ filter: /^(node:)?[a-z_]+\/?$/ }, (a) => {
      const name = a.path.replace(/^node:/, '').replace(/\/$/, '');
      const target = NODE_SHIMS[name];
      return target ? { path: target } : undefined;
    });
    // imapflow imports libmime's ESM build and mailsplit requires its CJS build: one copy only.
    build.onResolve({ filter: /^libmime$/ }, () => ({ path: fileURLToPath(import.meta.resolve('libmime')) }));
    // Optional transports imapflow never uses here.
    build.onResolve({ filter: /^socks$/ }, () => ({ path: join(shims, 'socks.ts') }));
    // Charset tables the browser's TextDecoder makes redundant (extension/node-shims/package-shims.ts).
    build.onResolve({ filter: /^(iconv-lite|encoding-japanese)$/ }, (a) => ({
      path: join(shims, PACKAGE_SHIMS[a.path]!),
    }));
  },
};

/**
 * A client ID from the environment. IDs are public (they travel in every authorization URL),
 * but a stray quote or space from a copy-paste would only show up as the provider's
 * "invalid client" page, so the shape is checked here.
 */
function oauthClientId(name: string): string {
  const value = (process.env[name] ?? '').trim();
  if (value !== '' && !/^[A-Za-z0-9._~-]{1,200}$/.test(value)) {
    throw new Error(`${name} is not a client ID (letters, digits, "-", ".", "_", "~")`);
  }
  return value;
}

/** Firefox has `browser.*` natively: the polyfill is replaced by it (extension/platform-firefox.ts). */
const nativeBrowserPlugin: esbuild.Plugin = {
  name: 'native-browser',
  setup(build) {
    build.onResolve({ filter: /^webextension-polyfill$/ }, () => ({
      path: join(root, 'extension/platform-firefox.ts'),
    }));
  },
};

function common(target: BrowserTarget): esbuild.BuildOptions {
  return {
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['chrome116', 'firefox140'],
    minify: !dev,
    sourcemap: dev ? 'inline' : false,
    legalComments: 'none',
    logLevel: 'warning',
    define: {
      __BROWSER__: JSON.stringify(target),
      // OAuth client IDs registered by whoever builds Biff (README, "OAuth sign-in"); empty: none.
      __BIFF_GOOGLE_CLIENT_ID__: JSON.stringify(oauthClientId('BIFF_GOOGLE_CLIENT_ID')),
      __BIFF_MICROSOFT_CLIENT_ID__: JSON.stringify(oauthClientId('BIFF_MICROSOFT_CLIENT_ID')),
      __KEEP_ALIVE__: JSON.stringify(!noKeepAlive),
      'process.env.NODE_ENV': dev ? '"development"' : '"production"',
    },
    jsx: 'automatic',
    jsxImportSource: 'preact',
    outdir: join(distRoot, target),
    metafile: true,
  };
}

function buildOptions(target: BrowserTarget): esbuild.BuildOptions[] {
  return [
    {
      ...common(target),
      entryPoints: { background: join(root, 'background/index.ts') },
      inject: [join(shims, 'globals.ts')],
      plugins: [
        nodeShimPlugin,
        postalMimePatch,
        imapflowLiteralsAsIs,
        ...(target === 'firefox' ? [nativeBrowserPlugin] : []),
      ],
      mainFields: ['browser', 'module', 'main'],
    },
    {
      ...common(target),
      entryPoints: {
        popup: join(root, 'popup/index.tsx'),
        options: join(root, 'options/index.tsx'),
      },
      splitting: true,
      chunkNames: 'chunks/[name]-[hash]',
      plugins: [postalMimePatch, popupBootExternal, ...(target === 'firefox' ? [nativeBrowserPlugin] : [])],
    },
    // Self-contained (no shared chunks to wait for): it runs as soon as it has loaded.
    { ...common(target), entryPoints: { 'popup-boot': join(root, 'popup/boot.ts') } },
  ];
}

/**
 * popup/boot.ts is its own script (popup.html loads it first, `async`): the popup's bundle
 * imports the very same module by its URL instead of a second copy, so both share its results.
 */
const popupBootExternal: esbuild.Plugin = {
  name: 'popup-boot-external',
  setup(build) {
    build.onResolve({ filter: /^\.\/boot\.ts$/ }, (a) =>
      a.importer === join(root, 'popup/index.tsx') ? { path: './popup-boot.js', external: true } : undefined,
    );
  },
};

/** The manifest for one browser, derived from the single manifest.json. */
export function manifestFor(target: BrowserTarget): Record<string, unknown> {
  const m = JSON.parse(readFileSync(join(root, 'manifest.json'), 'utf8')) as Record<string, unknown>;
  if (target === 'chrome') {
    delete m.browser_specific_settings;
  } else {
    delete m.key;
    delete m.minimum_chrome_version;
    m.background = { scripts: ['background.js'], type: 'module' };
  }
  return m;
}

function writeStatic(target: BrowserTarget): void {
  const out = join(distRoot, target);
  mkdirSync(join(out, 'icons'), { recursive: true });
  writeFileSync(join(out, 'manifest.json'), `${JSON.stringify(manifestFor(target), null, 2)}\n`);
  for (const size of ICON_SIZES)
    writeFileSync(join(out, `icons/${size}.png`), encodePng(size, drawIcon(size)));
  mkdirSync(join(out, '_locales/en'), { recursive: true });
  writeFileSync(join(out, '_locales/en/messages.json'), `${JSON.stringify(mergedMessages(), null, 2)}\n`);
  for (const page of ['popup/popup.html', 'options/options.html']) {
    if (existsSync(join(root, page))) copyFileSync(join(root, page), join(out, page.split('/')[1]!));
  }
  for (const css of ['extension/ui/theme.css', 'popup/popup.css']) {
    if (existsSync(join(root, css))) copyFileSync(join(root, css), join(out, css.split('/').pop()!));
  }
  inlineStyles(join(out, 'popup.html'));
}

/**
 * Puts the stylesheets a page links into the page itself (the CSP allows inline styles, not
 * scripts): two requests fewer before the popup can paint, and before its scripts may run,
 * since a pending stylesheet holds them back (BENCHMARKS.md, popup-open).
 */
function inlineStyles(html: string): void {
  if (!existsSync(html)) return;
  const page = readFileSync(html, 'utf8').replace(
    /<link rel="stylesheet" href="([\w.-]+)" \/>/g,
    (_, href: string) => `<style>\n${readFileSync(join(dirname(html), href), 'utf8')}</style>`,
  );
  writeFileSync(html, page);
}

/** Each context keeps its own UI strings; the extension gets one messages.json. */
export const MESSAGE_SOURCES = [
  '_locales/en/messages.json',
  'extension/ui/messages.en.json',
  'popup/messages.en.json',
  'options/messages.en.json',
  'background/messages.en.json',
];

export function mergedMessages(): Record<string, { message: string; description?: string }> {
  const merged: Record<string, { message: string; description?: string }> = {};
  for (const source of MESSAGE_SOURCES) {
    const path = join(root, source);
    if (!existsSync(path)) continue;
    const strings = JSON.parse(readFileSync(path, 'utf8')) as typeof merged;
    for (const [key, value] of Object.entries(strings)) {
      if (key in merged) throw new Error(`UI string ${key} is defined twice (again in ${source})`);
      merged[key] = value;
    }
  }
  return merged;
}

function printSizes(target: BrowserTarget, metas: esbuild.Metafile[]): void {
  const rows: string[] = [];
  for (const meta of metas) {
    for (const [file, info] of Object.entries(meta.outputs)) {
      const gz = gzipSync(readFileSync(resolve(root, file))).length;
      rows.push(
        `  ${resolve(root, file)
          .replace(`${join(distRoot, target)}/`, '')
          .padEnd(
            40,
          )} ${(info.bytes / 1024).toFixed(1).padStart(8)} KB  ${(gz / 1024).toFixed(1).padStart(7)} KB gzip`,
      );
    }
  }
  console.log(`${join(distRoot, target)}:\n${rows.join('\n')}`);
}

/**
 * Adds `<link rel="modulepreload">` for every chunk a page's entry imports statically, so the
 * browser fetches and compiles them alongside the entry instead of after it has parsed it (one
 * round of module loading less before the popup can paint; BENCHMARKS.md, popup-open).
 */
function preloadChunks(target: BrowserTarget, meta: esbuild.Metafile): void {
  const out = join(distRoot, target);
  for (const page of ['popup', 'options']) {
    const entry = Object.entries(meta.outputs).find(
      ([file]) => resolve(root, file) === join(out, `${page}.js`),
    );
    const html = join(out, `${page}.html`);
    if (!entry || !existsSync(html)) continue;
    const chunks = entry[1].imports
      .filter((i) => i.kind === 'import-statement' && !i.external)
      .map((i) => resolve(root, i.path).slice(out.length + 1));
    const links = chunks.map((c) => `    <link rel="modulepreload" href="${c}" />`).join('\n');
    if (links) writeFileSync(html, readFileSync(html, 'utf8').replace('  </head>', `${links}\n  </head>`));
  }
}

async function main(): Promise<void> {
  for (const target of TARGETS) rmSync(join(distRoot, target), { recursive: true, force: true });
  for (const target of TARGETS) {
    writeStatic(target);
    const options = buildOptions(target);
    if (watch) {
      for (const o of options) await (await esbuild.context(o)).watch();
    } else {
      const results = await Promise.all(options.map((o) => esbuild.build(o)));
      preloadChunks(target, results[1]!.metafile!);
      if (!dev && target === 'chrome')
        printSizes(
          target,
          results.map((r) => r.metafile!),
        );
    }
  }
  if (watch)
    console.log(
      'watching for changes… (static files are copied at start; restart to pick up manifest edits)',
    );
  else console.log(`built ${TARGETS.map((t) => join(distRoot, t)).join(' and ')}`);
}

await main();
