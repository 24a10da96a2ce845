/**
 * `npm run bench`: every case of BENCHMARKS.md, each against its baseline measured in the same
 * run, printed as a table and written to bench/results.json. Flags: `--quick` (smaller sizes),
 * `--only bundle,imap,popup,push,relay,pop3,mime` (some groups; popup needs imap's cache), `--once`
 * (one run, no warm-up: for trying things), `--profile` (CPU profiles of the worker and the
 * relay into .tmp/bench-profiles/, on an unminified build).
 */
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { buildExtension } from './build.ts';
import { bundleCase } from './cases/bundle.ts';
import { imapCases } from './cases/imap.ts';
import { mimeCases } from './cases/mime.ts';
import { pop3Case } from './cases/pop3.ts';
import { popupCase } from './cases/popup.ts';
import { pushCase } from './cases/push.ts';
import { relayCases } from './cases/relay.ts';
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
const REPS: Repetitions = argv.includes('--once') ? { warmup: 0, runs: 1 } : { warmup: 1, runs: 5 };
/**
 * popup-open and relay-rtt take well under a second a run, and their baselines (an empty page
 * painting in 60–190 ms, 1,000 loopback round trips) swing the most with the machine's load:
 * 11 runs make their medians, and so the ratios, steady from one full run to the next.
 */
const QUICK_CASE_REPS: Repetitions = argv.includes('--once') ? REPS : { warmup: 1, runs: 11 };

const log = (line: string) => console.log(line);

async function main(): Promise<void> {
  const started = performance.now();
  const machine = describeMachine();
  log(`Biff benchmark${quick ? ' (--quick)' : ''} on ${machine.cores} × ${machine.cpu}`);
  log('building the extension…');
  let dist = buildExtension();
  const results: CaseResult[] = [];
  if (wanted('bundle')) {
    log('Bundle');
    results.push(bundleCase(dist, log));
  }
  // In Node, before the browsers start: it needs none, and runs on a quiet machine.
  if (wanted('mime')) {
    log('MIME');
    results.push(...(await mimeCases(REPS, log)));
  }
  // Profiles need names: --profile measures an unminified build (numbers then differ a little).
  if (profile) dist = buildExtension({ dev: true });
  const profiling = profile ? { dir: resolve(import.meta.dirname, '../.tmp/bench-profiles'), log } : null;
  const world = ['imap', 'popup', 'push', 'relay', 'pop3'].some(wanted)
    ? await BenchWorld.start(dist, 6, profiling)
    : null;
  try {
    if (world && wanted('imap')) {
      log('IMAP');
      const imap = await imapCases(
        world,
        { folder: SIZES.imapFolder, changes: SIZES.imapChanges },
        REPS,
        log,
      );
      results.push(...imap.results);
      if (wanted('popup')) {
        log('Popup');
        results.push(await popupCase(world, SIZES.imapFolder, QUICK_CASE_REPS, log));
      }
    }
    if (world && wanted('push')) {
      log('Push');
      results.push(await pushCase(world, REPS, log));
    }
    if (wanted('relay')) {
      log('Relay');
      results.push(
        ...(await relayCases(
          { bytes: SIZES.relayBytes, roundTrips: SIZES.rtts },
          { throughput: REPS, rtt: QUICK_CASE_REPS },
          log,
          profiling?.dir ?? null,
        )),
      );
    }
    if (world && wanted('pop3')) {
      log('POP3');
      results.push(await pop3Case(world, SIZES.pop3Messages, REPS, log));
    }
  } finally {
    await world?.stop();
  }
  machine.loadAverageAtEnd = loadavg().map((l) => Math.round(l * 100) / 100);
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
