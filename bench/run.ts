/**
 * `npm run bench` (`--quick` for smaller sizes, `--only a,b` for some groups of cases,
 * `--profile` to record CPU profiles of the worker and the relay into .tmp/bench-profiles/).
 * See BENCHMARKS.md for what each case times and against what.
 */
import { resolve } from 'node:path';
import { buildExtension } from './build.ts';
import { imapCases } from './cases/imap.ts';
import { describeMachine } from './machine.ts';
import { type CaseResult, table, writeResults } from './results.ts';
import type { Repetitions } from './stats.ts';
import { BenchWorld } from './world.ts';

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const profile = argv.includes('--profile');
const onlyIndex = argv.indexOf('--only');
const only = onlyIndex >= 0 ? new Set((argv[onlyIndex + 1] ?? '').split(',')) : null;
const wanted = (group: string) => only === null || only.has(group);

/** Sizes: the issue's, or `--quick`'s. */
const SIZES = quick
  ? { imapFolder: 1_000, imapChanges: 20, pop3Messages: 200, relayBytes: 32 * 2 ** 20, rtts: 200 }
  : { imapFolder: 10_000, imapChanges: 100, pop3Messages: 1_000, relayBytes: 256 * 2 ** 20, rtts: 1_000 };
const REPS: Repetitions = { warmup: 1, runs: 5 };

const log = (line: string) => console.log(line);

async function main(): Promise<void> {
  const started = performance.now();
  const machine = describeMachine();
  log(`Biff benchmark${quick ? ' (--quick)' : ''} on ${machine.cores} × ${machine.cpu}`);
  log('building the extension…');
  // Profiles need names: --profile measures an unminified build (numbers then differ a little).
  const dist = buildExtension({ dev: profile });
  const results: CaseResult[] = [];
  const profiling = profile ? { dir: resolve(import.meta.dirname, '../.tmp/bench-profiles'), log } : null;
  const world = await BenchWorld.start(dist, 6, profiling);
  try {
    if (wanted('imap')) {
      log('IMAP');
      const imap = await imapCases(
        world,
        { folder: SIZES.imapFolder, changes: SIZES.imapChanges },
        REPS,
        log,
      );
      results.push(...imap.results);
    }
  } finally {
    await world.stop();
  }
  machine.loadAverageAtEnd = (await import('node:os')).loadavg().map((l) => Math.round(l * 100) / 100);
  machine.sizes = SIZES;
  machine.repetitions = REPS;
  machine.totalSeconds = Math.round((performance.now() - started) / 1000);
  log('');
  log(table(results));
  const out = resolve(import.meta.dirname, 'results.json');
  writeResults(out, machine, results);
  log(`\nwrote ${out} (${machine.totalSeconds} s)`);
}

await main();
