/**
 * The benchmark builds its own copy of the extension (`npm run build -- --out`), so it never
 * races another engineer's `dist/`, and adds one page the extension does not ship: an empty
 * page, the baseline of popup-open.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
/** Where the benchmark's build goes (`.tmp/` is ignored by git). */
export const BENCH_DIST = join(ROOT, '.tmp/bench-dist');
/** The baseline page of popup-open: nothing but a document. */
export const EMPTY_PAGE = 'bench-empty.html';

/** Builds the extension (minified, as shipped; `dev` keeps names for readable profiles). Returns dist/chrome's copy. */
export function buildExtension(options: { dev?: boolean } = {}): string {
  const args = ['--import', 'tsx', join(ROOT, 'scripts/build.ts'), '--out', BENCH_DIST];
  if (options.dev) args.push('--dev');
  const result = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`build failed:\n${result.stdout}${result.stderr}`);
  const chrome = join(BENCH_DIST, 'chrome');
  writeFileSync(
    join(chrome, EMPTY_PAGE),
    '<!doctype html><html><head><meta charset="utf-8"><title>empty</title></head><body></body></html>\n',
  );
  return chrome;
}
