/**
 * The arithmetic of the virtualised message list: with a fixed row height, which rows a scroll
 * position shows, where to scroll to reveal a row, and when to fetch the next page. Pure, so
 * it is tested without layout.
 */

/** What the visible window depends on. */
export interface WindowInput {
  scrollTop: number;
  viewportHeight: number;
  rowHeight: number;
  /** Rows that exist (loaded). */
  count: number;
  /** Extra rows rendered above and below, so fast scrolling does not show blank space. */
  overscan: number;
}

/** Rows `start` (inclusive) to `end` (exclusive). */
export interface Range {
  start: number;
  end: number;
}

/** The rows to render for a scroll position. */
export function visibleRange(input: WindowInput): Range {
  const { scrollTop, viewportHeight, rowHeight, count, overscan } = input;
  if (count <= 0 || rowHeight <= 0) return { start: 0, end: 0 };
  const top = Math.max(0, scrollTop);
  const first = Math.min(count - 1, Math.floor(top / rowHeight));
  const last = Math.min(count, Math.ceil((top + Math.max(0, viewportHeight)) / rowHeight));
  return { start: Math.max(0, first - overscan), end: Math.min(count, Math.max(last, first + 1) + overscan) };
}

/**
 * The scrollTop that shows row `index` whole while moving as little as possible: unchanged when
 * it is already fully visible, else aligned to the nearer edge.
 */
export function revealScrollTop(
  index: number,
  rowHeight: number,
  scrollTop: number,
  viewportHeight: number,
): number {
  const top = index * rowHeight;
  const bottom = top + rowHeight;
  if (top < scrollTop) return top;
  // A row taller than the viewport shows its top rather than its bottom.
  if (bottom > scrollTop + viewportHeight) return Math.max(0, Math.min(top, bottom - viewportHeight));
  return scrollTop;
}

/** Whether to fetch the next page: the window's end is within `prefetch` rows of what is loaded. */
export function needsMore(end: number, loaded: number, hasMore: boolean, prefetch: number): boolean {
  return hasMore && end + prefetch >= loaded;
}

/** A selection index kept inside `0..count-1` (or -1 when there are no rows). */
export function clampIndex(index: number, count: number): number {
  if (count <= 0) return -1;
  return Math.min(count - 1, Math.max(0, index));
}
