/**
 * Keeps the background loaded while a push connection is open, where the browser would unload
 * it for being idle although a WebSocket is open (Firefox: its MV3 background is an event page,
 * unloaded `extensions.background.idle.timeout` (30 s) after the last extension event or API
 * call; WebSocket traffic, the relay's 20 s ping included, does not count). Unloaded, the push
 * session dies with it and new mail waits for the next check alarm (issue 13: 30.3 s, then up
 * to 5 minutes late). A cheap extension API call that goes to the parent process resets that
 * timer (runtime.getPlatformInfo() does; storage reads do not, they never leave the page).
 *
 * Only while push is open: with no push connection an idle background has nothing to wait for,
 * and is unloaded as the browser likes; alarms wake it for the next check.
 */

/** Well under Firefox's 30 s default idle timeout, and under the 5 s the tests set it to. */
export const KEEP_ALIVE_PERIOD_MS = 3_000;

/** A timer that pings while `set(true)`, and not otherwise. */
export class KeepAlive {
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly ping: () => Promise<unknown>,
    private readonly periodMs = KEEP_ALIVE_PERIOD_MS,
  ) {}

  /** Whether anything needs the background kept loaded right now. */
  set(needed: boolean): void {
    if (needed && this.timer === null) {
      this.timer = setInterval(() => void this.ping().catch(() => undefined), this.periodMs);
    } else if (!needed && this.timer !== null) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  get active(): boolean {
    return this.timer !== null;
  }
}
