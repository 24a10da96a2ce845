/** Repetition and summary statistics for the benchmark. Pure apart from the clock. */

/** Median, min and max of a set of samples. */
export interface Summary {
  median: number;
  min: number;
  max: number;
}

/** The median (mean of the middle two for an even count), min and max. */
export function summarize(samples: readonly number[]): Summary {
  if (samples.length === 0) throw new RangeError('summarize: no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted.at(-1)! };
}

/** How often a case runs: `warmup` discarded runs, then `runs` measured ones. */
export interface Repetitions {
  warmup: number;
  runs: number;
}

/**
 * Runs `once` warmup + runs times and returns the measured samples. `once` gets the run's index
 * (negative during warm-up) and returns one sample; it does its own set-up outside what it times.
 */
export async function repeat(
  reps: Repetitions,
  once: (index: number) => Promise<number>,
  log?: (line: string) => void,
): Promise<number[]> {
  for (let i = -reps.warmup; i < 0; i++) {
    const sample = await once(i);
    log?.(`    warm-up: ${round(sample)}`);
  }
  const samples: number[] = [];
  for (let i = 0; i < reps.runs; i++) {
    const sample = await once(i);
    samples.push(sample);
    log?.(`    run ${i + 1}/${reps.runs}: ${round(sample)}`);
  }
  return samples;
}

/** A number for a table: 3 significant digits, no exponent. */
export function round(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  return value.toFixed(digits);
}
