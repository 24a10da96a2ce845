/**
 * A repeating alarm kept while any account wants push, so that a background the browser stopped
 * gets its push back within one period instead of at the next check (issue 15). Push lives in
 * the background; once it is stopped (Chrome stops a service worker after a crash, an update,
 * or over CDP), nothing runs until an event wakes it, and without this the only event that comes
 * by itself is the account's check alarm, a check interval later. The alarm's event starts the
 * background, whose start-up starts push (Engine.start); the handler then finds push running and
 * does nothing. Firefox keeps its event page loaded while push is on (keep-alive.ts): there the
 * alarm only wakes a page that is already awake.
 */

/** The alarm's name. */
export const PUSH_WATCH_ALARM = 'push-watch';
/**
 * Chrome's least period for a packed extension (it moves a shorter one up to 30 s, with a
 * warning): a stopped background's push is back within 30 s, and a running one is woken twice a
 * minute for a check of two maps.
 */
export const PUSH_WATCH_PERIOD_MINUTES = 0.5;

/** The alarm calls PushWatch needs (extension/platform.ts's `alarms`). */
export interface WatchAlarms {
  every(name: string, periodMinutes: number): Promise<void> | void;
  clear(name: string): Promise<unknown>;
  all(): Promise<Array<{ name: string; periodInMinutes?: number }>>;
}

/** What PushWatch needs of the engine. */
export interface PushEngine {
  wantsPush(): boolean;
  resumePush(): number;
}

/** Keeps the push-watch alarm set while push is wanted, and cleared otherwise. */
export class PushWatch {
  /** Whether the alarm is set, as far as this background knows (null: not read yet). */
  private set: boolean | null = null;
  /** Changes one after another: two overlapping creations would restart the period. */
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly alarms: WatchAlarms,
    private readonly periodMinutes = PUSH_WATCH_PERIOD_MINUTES,
  ) {}

  /**
   * Sets or clears the alarm to match `wanted`. Called at every status change: an alarm already
   * set is left alone (creating it again would restart its period, and a stream of status
   * changes would keep it from ever firing). Resolves once the alarm matches.
   */
  follow(wanted: boolean): Promise<void> {
    this.queue = this.queue.then(() => this.apply(wanted)).catch(() => undefined);
    return this.queue;
  }

  private async apply(wanted: boolean): Promise<void> {
    if (this.set === null) {
      const found = (await this.alarms.all()).find((a) => a.name === PUSH_WATCH_ALARM);
      // One left with another period (an older version's) goes, whatever is wanted.
      if (found && found.periodInMinutes !== this.periodMinutes) await this.alarms.clear(PUSH_WATCH_ALARM);
      this.set = found !== undefined && found.periodInMinutes === this.periodMinutes;
    }
    if (wanted === this.set) return;
    if (wanted) await this.alarms.every(PUSH_WATCH_ALARM, this.periodMinutes);
    else await this.alarms.clear(PUSH_WATCH_ALARM);
    this.set = wanted;
  }

  /**
   * The alarm fired. Waking the background was its work (start-up starts push); here push is
   * only started for an account that wants it and has none, which with push running is nothing.
   * Returns how many push connections were started.
   */
  fired(engine: PushEngine): number {
    return engine.resumePush();
  }
}
