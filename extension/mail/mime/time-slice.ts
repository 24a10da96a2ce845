/**
 * Cooperative time slices for long work in the background (and the popup): parsing a large
 * message, rendering its HTML as text. JavaScript there has one thread, so while a 5 MB message
 * is parsed nothing else runs: no message from the popup is answered, no alarm or push data is
 * handled. Work that may run long calls `slice.pause()` at points where it can stop; after
 * SLICE_MS of work since the last turn, pause() gives the event loop a turn (every task queued
 * meanwhile runs) before the work goes on. One TimeSlice is shared by the whole job (parse, then
 * summarize), so the budget is the job's, not each step's.
 */

/**
 * The longest stretch of work between two turns of the event loop. Under 50 ms a turn is not
 * noticed (the RAIL model's budget for a response); much shorter slices add turns (each a task
 * and a clock read) for nothing.
 */
export const SLICE_MS = 50;

/**
 * Units of work (pause's `cost`) between two looks at the clock. A unit is a line or 64 bytes of
 * one in the parser, a few hundred tags in the HTML rendering: 256 of them take well under a
 * millisecond, and reading the clock at every line was 8 % of a parse in Node.
 */
export const UNITS_PER_CHECK = 256;

/** Options of a TimeSlice; the clock and the turn are injectable for tests. */
export interface TimeSliceOptions {
  /** Milliseconds of work between turns; default SLICE_MS. */
  budgetMs?: number;
  /** The clock, in milliseconds; default performance.now. */
  now?: () => number;
  /** Resolves after a turn of the event loop; default nextTurn. */
  yieldToLoop?: () => Promise<void>;
}

/** A budget of work between turns of the event loop, for one job. */
export class TimeSlice {
  readonly #budget: number;
  readonly #now: () => number;
  readonly #yield: () => Promise<void>;
  #started: number;
  #turns = 0;
  #credit = UNITS_PER_CHECK;

  constructor(options: TimeSliceOptions = {}) {
    const budget = options.budgetMs ?? SLICE_MS;
    if (typeof budget !== 'number' || !(budget >= 0)) throw new RangeError('budgetMs must be a number ≥ 0');
    this.#budget = budget;
    this.#now = options.now ?? (() => performance.now());
    this.#yield = options.yieldToLoop ?? nextTurn;
    this.#started = this.#now();
  }

  /** How many turns this job has given the event loop so far. */
  get turns(): number {
    return this.#turns;
  }

  /**
   * undefined while the slice lasts (the caller goes on without awaiting: no microtask per
   * call in hot loops), else a promise that resolves after a turn of the event loop, when a new
   * slice begins. `cost` is the work done since the last call, in units of UNITS_PER_CHECK
   * (default 1): the clock is read once that many units have been done.
   */
  pause(cost = 1): Promise<void> | undefined {
    this.#credit -= cost;
    if (this.#credit > 0) return undefined;
    this.#credit = UNITS_PER_CHECK;
    if (this.#now() - this.#started < this.#budget) return undefined;
    return this.#turn();
  }

  async #turn(): Promise<void> {
    this.#turns++;
    await this.#yield();
    this.#started = this.#now();
  }
}

/** A job that never gives a turn: for callers whose input is small and bounded. */
export const NO_SLICING = new TimeSlice({ budgetMs: Number.POSITIVE_INFINITY });

let channel: MessageChannel | null = null;
const waiting: Array<() => void> = [];

/**
 * Resolves after a turn of the event loop: every task already queued (a timer, a message from
 * the popup, socket data) runs first. setImmediate where there is one (Node, and the background
 * bundle's shim), else a MessageChannel message: a nested setTimeout(0) is clamped to 4 ms.
 */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => {
    const immediate = (globalThis as { setImmediate?: (fn: () => void) => unknown }).setImmediate;
    if (typeof immediate === 'function') {
      immediate(resolve);
      return;
    }
    if (typeof MessageChannel !== 'function') {
      setTimeout(resolve, 0);
      return;
    }
    if (!channel) {
      channel = new MessageChannel();
      channel.port1.onmessage = () => waiting.shift()?.();
    }
    waiting.push(resolve);
    channel.port2.postMessage(null);
  });
}
