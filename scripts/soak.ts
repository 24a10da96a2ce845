/**
 * `npm run soak -- --minutes N [--seed S] [--out FILE] [--no-build]`: builds the extension, runs
 * the fault-injecting soak (test/soak/soak-run.ts) for N minutes (default 10), prints the
 * oracle's table and writes the report and the facts behind it as JSON (default
 * test-results/soak-<time>.json). Exits 1 when the oracle found anything wrong.
 *
 * `npm run soak -- --judge FILE`: judges the facts of a written run again with the oracle as it
 * is now (after a change of its rules), prints the table and runs nothing.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { formatReport, judge, type SoakFacts } from '../test/soak/oracle.ts';
import { runSoak, SOAK_LIMITS } from '../test/soak/soak-run.ts';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    seed: { type: 'string' },
    out: { type: 'string' },
    'no-build': { type: 'boolean', default: false },
    judge: { type: 'string' },
  },
});
if (values.judge !== undefined) {
  const written = JSON.parse(readFileSync(values.judge, 'utf8')) as { seed: number; facts: SoakFacts };
  // Runs written before the tooltip was recorded have none: the exact count is then unknown.
  const facts: SoakFacts = { ...written.facts, badgeTitle: written.facts.badgeTitle ?? '' };
  const report = judge(facts, SOAK_LIMITS);
  console.log(`soak, seed ${written.seed}, judged again\n${formatReport(report)}`);
  process.exit(report.ok ? 0 : 1);
}
const minutes = Number(values.minutes);
if (!Number.isFinite(minutes) || minutes <= 0) {
  console.error(`--minutes must be a positive number, not ${values.minutes}`);
  process.exit(2);
}
if (!values['no-build']) {
  const build = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/build.ts'], { stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}
const started = new Date();
const { report, facts, seed } = await runSoak({
  minutes,
  seed: values.seed === undefined ? undefined : Number(values.seed),
  log: (line) => console.log(line),
});
console.log(`\nsoak, seed ${seed}\n${formatReport(report)}`);
const out = values.out ?? `test-results/soak-${started.toISOString().replace(/[:.]/g, '-')}.json`;
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify({ seed, report, facts }, null, 2)}\n`);
console.log(`written to ${out}`);
process.exit(report.ok ? 0 : 1);
