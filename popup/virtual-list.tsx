/**
 * A scrolling list that renders only the rows in view plus an overscan, with a fixed row height:
 * the DOM stays a few dozen elements whether 40 or 20,000 rows are loaded. The list element
 * carries the full height, so the scrollbar is honest about what is loaded.
 */
import type { ComponentChild } from 'preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { type Range, revealScrollTop, visibleRange } from './virtual-window.ts';

export interface VirtualListProps<T> {
  items: readonly T[];
  rowHeight: number;
  overscan: number;
  /** Accessible name of the list. */
  label: string;
  /** Renders one row: an `<li>` placed `offset` px from the top, `rowHeight` tall. */
  renderRow(item: T, index: number, offset: number): ComponentChild;
  /** Scroll so this row is fully visible whenever `revealToken` changes. */
  revealIndex: number;
  revealToken: number;
  /** Scroll position to start at (restored when coming back from the reader). */
  initialScrollTop: number;
  /** Called with the rendered range whenever it changes. */
  onRange(range: Range): void;
  /** Called with the scroll position, to be restored later. */
  onScroll(scrollTop: number): void;
  /** Shown below the rows (loading, end of list). */
  footer?: ComponentChild;
}

/** Viewport height assumed before the first measurement (the popup's list area). */
const DEFAULT_VIEWPORT = 460;

export function VirtualList<T>(props: VirtualListProps<T>) {
  const { items, rowHeight, overscan, label, renderRow, revealIndex, revealToken, footer } = props;
  const scroller = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(props.initialScrollTop);
  const [viewport, setViewport] = useState(DEFAULT_VIEWPORT);
  const frame = useRef(0);
  const callbacks = useRef(props);
  callbacks.current = props;

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    el.scrollTop = props.initialScrollTop;
    setViewport(el.clientHeight || DEFAULT_VIEWPORT);
    const observer = new ResizeObserver(() => setViewport(el.clientHeight || DEFAULT_VIEWPORT));
    observer.observe(el);
    return () => {
      observer.disconnect();
      cancelAnimationFrame(frame.current);
    };
    // Only on mount: later scroll positions come from the user.
  }, []);

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el || revealToken === 0 || revealIndex < 0) return;
    const next = revealScrollTop(revealIndex, rowHeight, el.scrollTop, el.clientHeight || viewport);
    if (next !== el.scrollTop) el.scrollTop = next;
    setScrollTop(el.scrollTop);
    // Reveal on request only, not on every change of the index.
  }, [revealToken]);

  const range = visibleRange({
    scrollTop,
    viewportHeight: viewport,
    rowHeight,
    count: items.length,
    overscan,
  });
  useEffect(() => {
    callbacks.current.onRange(range);
  }, [range.start, range.end, items.length]);

  const onScroll = () => {
    // One state update per frame, however many scroll events arrive.
    if (frame.current) return;
    frame.current = requestAnimationFrame(() => {
      frame.current = 0;
      const el = scroller.current;
      if (!el) return;
      setScrollTop(el.scrollTop);
      callbacks.current.onScroll(el.scrollTop);
    });
  };

  const rows: ComponentChild[] = [];
  for (let i = range.start; i < range.end; i++) {
    const item = items[i];
    if (item !== undefined) rows.push(renderRow(item, i, i * rowHeight));
  }
  return (
    <div class="scroller" ref={scroller} onScroll={onScroll}>
      <ul aria-label={label} class="virtual-list" style={{ height: `${items.length * rowHeight}px` }}>
        {rows}
      </ul>
      {footer}
    </div>
  );
}
