#!/usr/bin/env node
// `npm test`: everything, in the order that fails fastest. Installs the test servers first
// (Dovecot, Chromium, Firefox ESR) when they are missing, then typecheck, lint, the dependency
// check, build, and each suite.
import { spawnSync } from 'node:child_process';

const steps = [
  ['test servers', 'bash', ['scripts/setup-test-deps.sh']],
  ['typecheck', 'npx', ['tsc', '-p', '.']],
  ['lint', 'npx', ['biome', 'check', '.']],
  ['deps', process.execPath, ['--import', 'tsx', 'scripts/check-deps.ts']],
  ['build', 'npx', ['tsx', 'scripts/build.ts']],
  ['unit', process.execPath, ['scripts/run-tests.mjs', 'unit']],
  ['relay', process.execPath, ['scripts/run-tests.mjs', 'relay']],
  ['integration', process.execPath, ['scripts/run-tests.mjs', 'integration']],
  ['e2e', process.execPath, ['scripts/run-tests.mjs', 'e2e']],
  ['e2e firefox', process.execPath, ['scripts/run-tests.mjs', 'e2e-firefox']],
  ['soak', process.execPath, ['scripts/run-tests.mjs', 'soak']],
];

/** Without these every later step is meaningless; the test suites all run whatever fails. */
const PREREQUISITES = new Set(['test servers', 'typecheck', 'lint', 'deps', 'build']);

const only = process.argv.slice(2);
const results = [];
for (const [name, cmd, args] of steps) {
  if (only.length > 0 && !only.includes(name)) continue;
  console.log(`\n=== ${name} ===`);
  const started = Date.now();
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  const ok = r.status === 0;
  results.push({ name, ok, seconds: (Date.now() - started) / 1000 });
  if (!ok && PREREQUISITES.has(name)) break;
}
console.log('\n=== summary ===');
for (const r of results) console.log(`${r.ok ? 'ok  ' : 'FAIL'} ${r.name} (${r.seconds.toFixed(1)} s)`);
const failed = results.filter((r) => !r.ok).length;
process.exit(failed === 0 ? 0 : 1);
