/**
 * mime-parse: parsing two ~5 MiB messages as the reader parses them (parseMessage), in Node, on
 * the extension's bundle of the MIME code (esbuild, with the postal-mime patch of the
 * service-worker bundle): ten message/rfc822 levels nested inline, the innermost a long HTML
 * body (issue #15: 5.4 s of the worker's CPU when every level was parsed again), and the same
 * HTML forwarded inline beside a text part (which postal-mime renders into the plain-text
 * body). While they parse, a task re-queues itself (setImmediate) and the longest gap between
 * two of its turns is the longest time a parse held the event loop: what a message from the
 * popup, an alarm or push data would have waited at worst. Measured: the two parses' time (the
 * median is the result) and that longest gap.
 * Baseline: the same message parsed by postal-mime's own parser in one go, as parseMessage did
 * before it was sliced (bench/mime-entry.ts), alternating with the case's runs.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import { SLICE_MS } from '../../extension/mail/mime/time-slice.ts';
import { postalMimePatch } from '../../scripts/postal-mime-patch.ts';
import { type CaseResult, ratioResult } from '../results.ts';
import { type Repetitions, repeat, round, summarize } from '../stats.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const OUT = join(ROOT, '.tmp/bench-mime/mime.mjs');

type Entry = typeof import('../mime-entry.ts');

/** Builds bench/mime-entry.ts as the extension's bundles build the MIME code, and loads it. */
async function loadBundle(): Promise<Entry> {
  mkdirSync(join(OUT, '..'), { recursive: true });
  await esbuild.build({
    entryPoints: [join(ROOT, 'bench/mime-entry.ts')],
    outfile: OUT,
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    minify: true,
    logLevel: 'warning',
    plugins: [postalMimePatch],
  });
  return (await import(`${pathToFileURL(OUT).href}?${Date.now()}`)) as Entry;
}

/** `levels` messages nested inline (message/rfc822), each with a line of text; the innermost one's HTML body has `rows` paragraphs. */
export function nestedMessage(levels: number, rows: number): Uint8Array<ArrayBuffer> {
  const line = 'The quick brown fox jumps over the lazy dog, again and again and again.';
  const html = Array.from({ length: rows }, (_, i) => `<p>${i} <b>${line}</b> &amp; more</p>`).join('\r\n');
  let message = `Subject: level ${levels}\r\nContent-Type: text/html; charset=utf-8\r\n\r\n${html}\r\n`;
  for (let level = levels - 1; level >= 1; level--) {
    const b = `b${level}`;
    message =
      `Subject: level ${level}\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="${b}"\r\n\r\n` +
      `--${b}\r\nContent-Type: text/plain\r\n\r\nText of level ${level}.\r\n` +
      `--${b}\r\nContent-Type: message/rfc822\r\n\r\n${message}\r\n--${b}--\r\n`;
  }
  return new TextEncoder().encode(message) as Uint8Array<ArrayBuffer>;
}

/** The process's CPU time in ms (user and system). */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/**
 * Runs `parse` with a self-requeuing task beside it: its ms, the longest gap between the task's
 * turns, and the most CPU time spent in one gap (on a loaded machine a gap also holds the time
 * the process waited for a core; the CPU time does not).
 */
async function timed(
  parse: () => Promise<unknown>,
): Promise<{ ms: number; maxGap: number; maxCpuGap: number; turns: number }> {
  let running = true;
  let last = performance.now();
  let lastCpu = cpuMs();
  let maxGap = 0;
  let maxCpuGap = 0;
  let turns = 0;
  const tick = () => {
    const now = performance.now();
    const cpu = cpuMs();
    maxGap = Math.max(maxGap, now - last);
    maxCpuGap = Math.max(maxCpuGap, cpu - lastCpu);
    last = now;
    lastCpu = cpu;
    turns++;
    if (running) setImmediate(tick);
  };
  setImmediate(tick);
  const started = performance.now();
  await parse();
  const ended = performance.now();
  running = false;
  maxGap = Math.max(maxGap, ended - last);
  maxCpuGap = Math.max(maxCpuGap, cpuMs() - lastCpu);
  // Let the ticker's last turn run before the next sample.
  await new Promise((r) => setTimeout(r, 5));
  return { ms: ended - started, maxGap, maxCpuGap, turns };
}

/** mime-parse (the parse's time) and mime-blocking (the longest gap between turns), each against its baseline. */
export async function mimeCases(reps: Repetitions, log: (line: string) => void): Promise<CaseResult[]> {
  const bundle = await loadBundle();
  const messages = [
    { name: 'nested', raw: nestedMessage(10, 52_000) },
    { name: 'forward', raw: nestedMessage(2, 52_000) },
  ];
  for (const { name, raw } of messages) log(`  ${name}: ${(raw.byteLength / 2 ** 20).toFixed(2)} MiB`);
  const baseline: number[] = [];
  const baselineGaps: number[] = [];
  const gaps: number[] = [];
  const samples = await repeat(
    reps,
    async (index) => {
      const run = { ms: 0, maxGap: 0, baseMs: 0, baseGap: 0 };
      for (const { name, raw } of messages) {
        const before = await timed(() => bundle.parseUnsliced(raw));
        const after = await timed(() => bundle.parseMessage(raw));
        log(
          `    ${name}: baseline ${round(before.ms)} ms, longest gap ${round(before.maxGap)} ms ` +
            `(CPU ${round(before.maxCpuGap)} ms, ${before.turns} turns); sliced ${round(after.ms)} ms, ` +
            `longest gap ${round(after.maxGap)} ms (CPU ${round(after.maxCpuGap)} ms, ${after.turns} turns)`,
        );
        run.ms += after.ms;
        run.baseMs += before.ms;
        run.maxGap = Math.max(run.maxGap, after.maxGap);
        run.baseGap = Math.max(run.baseGap, before.maxGap);
      }
      if (index >= 0) {
        baseline.push(run.baseMs);
        baselineGaps.push(run.baseGap);
        gaps.push(run.maxGap);
      }
      return run.ms;
    },
    log,
  );
  const gap = summarize(gaps);
  const baseGap = summarize(baselineGaps);
  log(`    longest gap between turns: median ${round(gap.median)} ms, baseline ${round(baseGap.median)} ms`);
  return [
    // The turns cost a little (a task each, and the other tasks' time): the parse may take longer.
    ratioResult('mime-parse', 'ms', summarize(samples), summarize(baseline), 1.25),
    {
      name: 'mime-blocking',
      unit: 'ms',
      ...gap,
      baseline: baseGap,
      ratio: gap.median / baseGap.median,
      // Twice the slice: a step between two looks at the clock may run over it.
      target: `≤ ${2 * SLICE_MS} ms`,
      met: gap.median <= 2 * SLICE_MS,
    },
  ];
}
