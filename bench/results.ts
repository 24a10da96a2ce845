/**
 * The result of every case, the table printed at the end, and `bench/results.json`:
 * `{"machine": {...}, "cases": [{"name", "unit", "median", "min", "max", "baseline", "ratio",
 * "target", "met"}]}`.
 */
import { writeFileSync } from 'node:fs';
import { round, type Summary } from './stats.ts';

/** The case names, in the order the table lists them. */
export const CASE_NAMES = [
  'imap-initial',
  'imap-resync-idle',
  'imap-resync-changes',
  'pop3-download',
  'mime-parse',
  'mime-blocking',
  'relay-throughput',
  'relay-rtt',
  'popup-open',
  'push-latency',
  'sw-memory',
  'bundle',
] as const;
export type CaseName = (typeof CASE_NAMES)[number];

/** One row of results.json. */
export interface CaseResult extends Summary {
  name: CaseName;
  unit: string;
  baseline: Summary | null;
  /** median / baseline median (or the inverse for throughput), or null without a baseline. */
  ratio: number | null;
  /** e.g. "≤ 1.5×", "≤ 40 MB". */
  target: string;
  met: boolean;
}

/** A result compared by ratio: `median / baseline.median` must be at most `limit`. */
export function ratioResult(
  name: CaseName,
  unit: string,
  measured: Summary,
  baseline: Summary,
  limit: number,
  target = `≤ ${limit}×`,
): CaseResult {
  const ratio = measured.median / baseline.median;
  return { name, unit, ...measured, baseline, ratio, target, met: ratio <= limit };
}

/** A result where more is better (throughput): `median / baseline.median` must be at least `limit`. */
export function minRatioResult(
  name: CaseName,
  unit: string,
  measured: Summary,
  baseline: Summary,
  limit: number,
): CaseResult {
  const ratio = measured.median / baseline.median;
  return {
    name,
    unit,
    ...measured,
    baseline,
    ratio,
    target: `≥ ${limit}× the throughput`,
    met: ratio >= limit,
  };
}

/** A result compared with an absolute limit on the median. */
export function limitResult(name: CaseName, unit: string, measured: Summary, limit: number): CaseResult {
  return {
    name,
    unit,
    ...measured,
    baseline: null,
    ratio: null,
    target: `≤ ${limit} ${unit}`,
    met: measured.median <= limit,
  };
}

/** The table as Markdown (also readable in a terminal). */
export function table(results: readonly CaseResult[]): string {
  const head = '| case | unit | median | min | max | baseline median (min–max) | ratio | target | met |';
  const rule = '|---|---|---:|---:|---:|---:|---:|---|---|';
  const rows = results.map((r) => {
    const base = r.baseline
      ? `${round(r.baseline.median)} (${round(r.baseline.min)}–${round(r.baseline.max)})`
      : '—';
    const ratio =
      r.ratio === null ? '—' : r.target.includes('%') ? `${round(r.ratio * 100)} %` : `${round(r.ratio)}×`;
    return `| ${r.name} | ${r.unit} | ${round(r.median)} | ${round(r.min)} | ${round(r.max)} | ${base} | ${ratio} | ${r.target} | ${r.met ? 'yes' : '**no**'} |`;
  });
  return [head, rule, ...rows].join('\n');
}

/** Writes results.json, cases in table order. */
export function writeResults(
  path: string,
  machine: Record<string, unknown>,
  results: readonly CaseResult[],
): void {
  const ordered = [...results].sort((a, b) => CASE_NAMES.indexOf(a.name) - CASE_NAMES.indexOf(b.name));
  writeFileSync(path, `${JSON.stringify({ machine, cases: ordered }, null, 2)}\n`);
}
