/** Counts fetched summaries against the number planned, for the popup's "Sync now" indicator. */
export class Progress {
  private done = 0;
  private total = 0;
  constructor(private readonly report?: (done: number, total: number) => void) {}

  /** More messages are going to be fetched. */
  plan(count: number): void {
    if (count <= 0) return;
    this.total += count;
    this.report?.(this.done, this.total);
  }

  /** Messages were fetched and stored. */
  advance(count: number): void {
    this.done = Math.min(this.total, this.done + count);
    this.report?.(this.done, this.total);
  }
}
