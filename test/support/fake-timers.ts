/**
 * Manual timers for tests: nothing fires until `advance()`. Implements Timers, so a session
 * under test can time out without the test waiting in real time.
 */
import type { TimerHandle, Timers } from '../../extension/mail/pop3/timers.ts';

interface Pending {
  at: number;
  callback: () => void;
}

export class FakeTimers implements Timers {
  /** Milliseconds advanced so far. */
  now = 0;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  setTimeout(callback: () => void, ms: number): TimerHandle {
    const id = this.nextId++;
    this.pending.set(id, { at: this.now + Math.max(0, ms), callback });
    return id;
  }

  clearTimeout(handle: TimerHandle): void {
    if (typeof handle === 'number') this.pending.delete(handle);
  }

  /** Timers set and neither fired nor cleared. */
  get count(): number {
    return this.pending.size;
  }

  /** Moves time forward by `ms`, firing due timers in order (and those they set, if due). */
  advance(ms: number): void {
    const target = this.now + ms;
    for (;;) {
      let nextId: number | null = null;
      let next: Pending | null = null;
      for (const [id, timer] of this.pending) {
        if (timer.at <= target && (next === null || timer.at < next.at)) {
          nextId = id;
          next = timer;
        }
      }
      if (nextId === null || next === null) break;
      this.pending.delete(nextId);
      this.now = next.at;
      next.callback();
    }
    this.now = target;
  }
}
