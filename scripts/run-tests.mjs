#!/usr/bin/env node
// Runs one suite of node:test files through tsx. Node 20's `--test` takes no globs, so the
// files are collected here: `unit` is every *.test.ts next to the code plus those of the test
// support itself (test/support/), the other suites are their folders under test/.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
// .tmp holds scratch copies of the tree (the benchmark's build, experiments), never suites to run.
const SKIP = new Set(['node_modules', 'dist', '.git', 'test-results', '.tmp']);

function collect(dir, out = []) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (SKIP.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) collect(path, out);
    else if (entry.name.endsWith('.test.ts') || entry.name.endsWith('.test.tsx'))
      out.push(relative(root, path));
  }
  return out;
}

const suites = {
  unit: (f) => !f.startsWith('test/') || f.startsWith('test/support/'),
  relay: (f) => f.startsWith('test/relay/'),
  integration: (f) => f.startsWith('test/integration/'),
  e2e: (f) => f.startsWith('test/e2e/'),
  // The same end-to-end files, in Firefox ESR: those whose header says `biff-browsers: … firefox`
  // (test/browser/driver.ts is what lets one test body drive both browsers).
  'e2e-firefox': (f) =>
    f.startsWith('test/e2e/') && /biff-browsers:[a-z ]*\bfirefox\b/.test(readFileSync(join(root, f), 'utf8')),
  soak: (f) => f.startsWith('test/soak/'),
};
/** The browser each suite's tests launch (test/browser/driver.ts reads BIFF_BROWSER). */
const BROWSER_OF = { 'e2e-firefox': 'firefox', e2e: 'chromium' };

const [suite, ...filters] = process.argv.slice(2);
if (!suite || !(suite in suites)) {
  console.error(`usage: run-tests.mjs <${Object.keys(suites).join('|')}> [substring…]`);
  process.exit(2);
}
const files = collect(root)
  .filter(suites[suite])
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();
if (files.length === 0) {
  console.error(`no test files for suite ${suite}`);
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', ...files],
  { cwd: root, stdio: 'inherit', env: { ...process.env, BIFF_BROWSER: BROWSER_OF[suite] ?? 'chromium' } },
);
process.exit(result.status ?? 1);
