/**
 * The timer functions the session uses, injectable so tests can drive time (test/support/fake-timers.ts).
 * Protocol cores never touch timers; only the session does, through this.
 */

/** An opaque handle returned by `setTimeout`. */
export type TimerHandle = unknown;

/** setTimeout/clearTimeout, as the session needs them. */
export interface Timers {
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** The platform's timers (service worker or Node). */
export const realTimers: Timers = {
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as Parameters<typeof globalThis.clearTimeout>[0]),
};
