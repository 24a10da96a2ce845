#!/usr/bin/env -S node --import tsx
/**
 * `npm run check:deps`: keeps the dependency picture of README.md ("Layout") and
 * extension/README.md true. Run by `npm test` right after lint. Fails, listing every offender, on:
 *
 * 1. an import cycle among product modules (extension/, background/, popup/, options/, relay/);
 * 2. an import pointing up the layers: pages (popup/, options/) → background/ → extension/engine/
 *    → extension/mail/ and extension/store/ → extension/relay/. Nothing in extension/ imports
 *    background/ or a page (the pages reach the background through extension/contract.ts, which
 *    is below both), and the pages import neither background/ nor engine/ (they do read the
 *    cache and parse mail themselves: store/ and mail/mime/ are theirs to use); mail/ and store/
 *    never import engine/; extension/relay/ (the socket the mail protocols ride on) imports none
 *    of mail/, store/ or engine/;
 * 3. a test-only module imported by product code: the test packages, or anything under test/ or
 *    bench/, or a *.test.ts file;
 * 4. the browser's extension API (`browser.*`, `chrome.*`, webextension-polyfill) outside
 *    extension/platform.ts, the one module that touches it (STYLE.md convention 5).
 *
 * Type-only imports count: a type still ties one module's changes to another's.
 * Usage: `check-deps.ts [root]` (default: the repository), so its test can point it at a fixture tree.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/** The product folders, relative to the root. Everything else (test/, bench/, scripts/) is tooling. */
export const PRODUCT_DIRS = ['extension', 'background', 'popup', 'options', 'relay'] as const;

/** The one module allowed to touch the browser's extension API. */
export const PLATFORM_MODULE = 'extension/platform.ts';

/**
 * The popup's early boot script: popup.html loads it ahead of the app's bundle so the cache opens
 * while the rest of the popup loads, and it uses the browser's own API (`globalThis.browser ??
 * globalThis.chrome`) rather than the polyfill to stay small (see its file comment).
 */
export const EARLY_BOOT_SCRIPT = 'popup/boot.ts';

/** Packages only the tests use; product code importing one would ship test machinery. */
export const TEST_ONLY_PACKAGES = [
  'fake-indexeddb',
  'jsdom',
  'playwright',
  'puppeteer-core',
  'oidc-provider',
  'web-ext',
  'node:test',
];

/** Folders of test code and tooling that product code must never import. */
const TEST_DIRS = ['test', 'bench'];

const SKIP_DIRS = new Set(['node_modules', 'dist', '.git', '.tmp', 'test-results']);
const SOURCE = /\.(ts|tsx|mts|js|mjs)$/;
const TEST_FILE = /\.test\.(ts|tsx|mts|js|mjs)$/;

/** One import of one module. */
interface Edge {
  from: string;
  /** A module path relative to the root, or a package name. */
  to: string;
  isPackage: boolean;
  line: number;
}

/** One rule broken, at one place. */
export interface Offence {
  rule: 'cycle' | 'layer' | 'test-only' | 'browser-api';
  /** `file -> what` (or `cycle: modules…`): which offence, whatever its line. */
  key: string;
  /** The line printed for it. */
  text: string;
}

function walk(root: string, dir: string, out: string[]): void {
  const full = join(root, dir);
  if (!existsSync(full)) return;
  for (const entry of readdirSync(full, { withFileTypes: true })) {
    if (SKIP_DIRS.has(entry.name)) continue;
    const path = dir === '' ? entry.name : `${dir}/${entry.name}`;
    if (entry.isDirectory()) walk(root, path, out);
    else if (SOURCE.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(path);
  }
}

/** The file a relative specifier names, relative to the root (as written, or with an extension). */
function resolveModule(root: string, from: string, specifier: string): string {
  const base = resolve(root, dirname(from), specifier);
  const candidates = [base, `${base}.ts`, `${base}.tsx`, join(base, 'index.ts'), join(base, 'index.tsx')];
  const found = candidates.find((c) => existsSync(c) && statSync(c).isFile()) ?? base;
  return relative(root, found).split(sep).join('/');
}

/** A package's name from a bare specifier (`@scope/name/sub` → `@scope/name`), keeping `node:` ones whole. */
function packageOf(specifier: string): string {
  if (specifier.startsWith('node:')) return specifier;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

const isTestFile = (file: string) => TEST_FILE.test(file);
const under = (file: string, dir: string) => file === dir || file.startsWith(`${dir}/`);
const isProduct = (file: string) => PRODUCT_DIRS.some((d) => under(file, d)) && !isTestFile(file);

/**
 * `text` with comments blanked out, and with string and template contents blanked out too when
 * `strings` is false; lengths and newlines are kept, so a position means the same place in
 * each. Regex literals are not recognised: a quote inside one would be taken for a string.
 * The product code has none that derails it (its imports all sit at the top of the file).
 */
function blank(text: string, strings: boolean): string {
  let out = '';
  let i = 0;
  const keep = (c: string) => (c === '\n' ? c : ' ');
  while (i < text.length) {
    const c = text[i]!;
    const next = text[i + 1];
    if (c === '/' && next === '/') {
      while (i < text.length && text[i] !== '\n') {
        out += ' ';
        i++;
      }
    } else if (c === '/' && next === '*') {
      const end = text.indexOf('*/', i + 2);
      const stop = end === -1 ? text.length : end + 2;
      for (; i < stop; i++) out += keep(text[i]!);
    } else if (c === "'" || c === '"' || c === '`') {
      out += c;
      i++;
      while (i < text.length && text[i] !== c) {
        if (text[i] === '\\') {
          out += strings ? text.slice(i, i + 2) : '  ';
          i += 2;
          continue;
        }
        out += strings ? text[i] : keep(text[i]!);
        i++;
      }
      out += c;
      i++;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/**
 * `import … from 'x'`, `export … from 'x'`, `import 'x'`, `import('x')`, `require('x')`, matched
 * on the text with string contents blanked (so an import written inside a string, as a build
 * banner or a test's fixture, is not one); the specifier is then read at the same place.
 */
const IMPORT =
  /\b(?:import|export)\b(?:[^;'"`]*?\bfrom\s*|\s*\(\s*|\s+)(['"])([^'"\n]*)\1|\brequire\s*\(\s*(['"])([^'"\n]*)\3/g;
/** `browser.x`, `chrome?.x` used as a global (not as a property of something else). */
const API_GLOBAL = /(?<![\w$.])(browser|chrome)\s*\??\.\s*[A-Za-z_$]/g;
/** The global reached through another name or a cast: `globalThis.chrome`, `(… as Api).browser`. */
const API_PROPERTY = /\.\s*(browser|chrome)(?![\w$])/g;
/** A variable or parameter of the file's own with that name (relay/policy.ts's `chrome` match). */
const OWN_NAME = /\b(?:const|let|var|function)\s+(browser|chrome)\b|[(,]\s*(browser|chrome)\s*[:,)]/g;

/** Every import, export-from, dynamic import and require of `file` (relative to `root`), and its browser-API uses. */
export function scan(
  root: string,
  file: string,
): { edges: Edge[]; apiUses: Array<{ line: number; what: string }> } {
  const text = readFileSync(join(root, file), 'utf8');
  const code = blank(text, true);
  const bare = blank(text, false);
  const lineOf = (at: number) => {
    let line = 1;
    for (let i = code.indexOf('\n'); i !== -1 && i < at; i = code.indexOf('\n', i + 1)) line++;
    return line;
  };
  const edges: Edge[] = [];
  const apiUses: Array<{ line: number; what: string }> = [];
  for (const m of bare.matchAll(IMPORT)) {
    const quoted = (m[2] ?? m[4])!;
    const end = m.index + m[0].length - 1;
    const specifier = code.slice(end - quoted.length, end);
    const relativeSpec = specifier.startsWith('./') || specifier.startsWith('../');
    edges.push({
      from: file,
      to: relativeSpec ? resolveModule(root, file, specifier) : packageOf(specifier),
      isPackage: !relativeSpec,
      line: lineOf(m.index),
    });
    if (specifier === 'webextension-polyfill') apiUses.push({ line: lineOf(m.index), what: specifier });
  }
  const own = new Set([...bare.matchAll(OWN_NAME)].map((m) => (m[1] ?? m[2])!));
  for (const m of bare.matchAll(API_GLOBAL))
    if (!own.has(m[1]!)) apiUses.push({ line: lineOf(m.index), what: `${m[1]}.` });
  for (const m of bare.matchAll(API_PROPERTY)) apiUses.push({ line: lineOf(m.index), what: `.${m[1]}` });
  return { edges, apiUses };
}

/** The layer rule `from → to` breaks, if any. */
function layerBroken(from: string, to: string): string | null {
  const pages = ['popup', 'options'];
  if (under(from, 'extension') && (under(to, 'background') || pages.some((p) => under(to, p))))
    return 'extension/ is below background/ and the pages';
  if (under(from, 'background') && pages.some((p) => under(to, p))) return 'background/ is below the pages';
  if (pages.some((p) => under(from, p)) && (under(to, 'background') || under(to, 'extension/engine')))
    return 'the pages reach the background and its engine only through extension/contract.ts';
  if ((under(from, 'extension/mail') || under(from, 'extension/store')) && under(to, 'extension/engine'))
    return 'mail/ and store/ are below engine/';
  if (
    under(from, 'extension/relay') &&
    ['extension/mail', 'extension/store', 'extension/engine'].some((d) => under(to, d))
  )
    return 'extension/relay/ is below mail/, store/ and engine/';
  return null;
}

/** Strongly connected components of more than one module (or a module importing itself): Tarjan. */
function cycles(nodes: string[], next: Map<string, Set<string>>): string[][] {
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const connect = (v: string): void => {
    indices.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!indices.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, indices.get(w)!));
      }
    }
    if (low.get(v) === indices.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || next.get(v)?.has(v)) found.push(component.sort());
    }
  };
  for (const v of nodes) if (!indices.has(v)) connect(v);
  return found;
}

/** Every offence in the tree at `root`, before the allow-list. */
export function checkDeps(root: string): Offence[] {
  const files: string[] = [];
  for (const dir of PRODUCT_DIRS) walk(root, dir, files);
  const offences: Offence[] = [];
  const graph = new Map<string, Set<string>>();
  const product = files.filter(isProduct);

  for (const file of files) {
    if (!isProduct(file)) continue;
    const { edges, apiUses } = scan(root, file);
    const where = (line: number) => `${file}:${line}`;
    for (const edge of edges) {
      if (edge.isPackage) {
        if (TEST_ONLY_PACKAGES.some((p) => edge.to === p || edge.to.startsWith(`${p}/`)))
          offences.push({
            rule: 'test-only',
            key: `${file} -> ${edge.to}`,
            text: `${where(edge.line)} imports the test-only package ${edge.to}`,
          });
        continue;
      }
      if (TEST_DIRS.some((d) => under(edge.to, d)) || isTestFile(edge.to)) {
        offences.push({
          rule: 'test-only',
          key: `${file} -> ${edge.to}`,
          text: `${where(edge.line)} imports test code ${edge.to}`,
        });
        continue;
      }
      const broken = layerBroken(file, edge.to);
      if (broken)
        offences.push({
          rule: 'layer',
          key: `${file} -> ${edge.to}`,
          text: `${where(edge.line)} imports ${edge.to} (${broken})`,
        });
      if (isProduct(edge.to)) {
        const out = graph.get(file) ?? new Set<string>();
        out.add(edge.to);
        graph.set(file, out);
      }
    }
    if (file !== PLATFORM_MODULE && file !== EARLY_BOOT_SCRIPT) {
      for (const use of apiUses)
        offences.push({
          rule: 'browser-api',
          key: `${file} -> ${use.what}`,
          text: `${where(use.line)} uses the extension API (${use.what}) outside ${PLATFORM_MODULE}`,
        });
    }
  }

  for (const component of cycles(product, graph))
    offences.push({
      rule: 'cycle',
      key: `cycle: ${component.join(' ')}`,
      text: `import cycle among ${component.join(', ')}`,
    });
  return offences;
}

function main(): void {
  const root = resolve(process.argv[2] ?? join(import.meta.dirname, '..'));
  const started = performance.now();
  const offences = checkDeps(root);
  const ms = Math.round(performance.now() - started);
  if (offences.length === 0) {
    console.log(
      `check-deps: no cycles, no upward imports, no test code or browser API in the wrong place (${ms} ms)`,
    );
    return;
  }
  console.error(`check-deps: ${offences.length} offence(s):`);
  for (const o of offences) console.error(`  [${o.rule}] ${o.text}`);
  process.exitCode = 1;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) main();
