import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clampIndex, needsMore, revealScrollTop, visibleRange } from './virtual-window.ts';

const base = { rowHeight: 60, viewportHeight: 480, overscan: 5 };

test('at the top the window is the first screen plus overscan below', () => {
  assert.deepEqual(visibleRange({ ...base, scrollTop: 0, count: 10_000 }), { start: 0, end: 13 });
});

test('in the middle the window has overscan on both sides', () => {
  // 6000px = row 100 at the top edge; 8 rows fill the viewport.
  assert.deepEqual(visibleRange({ ...base, scrollTop: 6000, count: 10_000 }), { start: 95, end: 113 });
  // A partly visible row at each edge is included.
  assert.deepEqual(visibleRange({ ...base, scrollTop: 6030, count: 10_000 }), { start: 95, end: 114 });
});

test('the window size does not grow with the number of rows', () => {
  const small = visibleRange({ ...base, scrollTop: 0, count: 100 });
  const big = visibleRange({ ...base, scrollTop: 0, count: 1_000_000 });
  assert.equal(small.end - small.start, big.end - big.start);
});

test('at the bottom the window stops at the last row', () => {
  const count = 10_000;
  const scrollTop = count * 60 - 480;
  assert.deepEqual(visibleRange({ ...base, scrollTop, count }), { start: count - 8 - 5, end: count });
});

test('a scroll position past the end (rows just removed) still shows the last rows', () => {
  assert.deepEqual(visibleRange({ ...base, scrollTop: 99_999, count: 3 }), { start: 0, end: 3 });
});

test('no rows, no window; a negative (rubber-band) scrollTop counts as 0', () => {
  assert.deepEqual(visibleRange({ ...base, scrollTop: 0, count: 0 }), { start: 0, end: 0 });
  assert.deepEqual(visibleRange({ ...base, scrollTop: -40, count: 10 }), { start: 0, end: 10 });
});

test('revealing a row scrolls only when it is not fully visible', () => {
  // Rows 10..17 are visible at 600.
  assert.equal(revealScrollTop(12, 60, 600, 480), 600);
  // Above: align its top.
  assert.equal(revealScrollTop(9, 60, 600, 480), 540);
  // Below: align its bottom.
  assert.equal(revealScrollTop(18, 60, 600, 480), 660);
  // Partly visible at the bottom edge counts as hidden.
  assert.equal(revealScrollTop(17, 60, 630, 480), 630);
  assert.equal(revealScrollTop(18, 60, 630, 480), 660);
  assert.equal(revealScrollTop(0, 60, 0, 30), 0);
  assert.equal(revealScrollTop(3, 60, 0, 30), 180);
});

test('the next page is fetched when the window nears the end of what is loaded', () => {
  assert.equal(needsMore(100, 300, true, 100), false);
  assert.equal(needsMore(200, 300, true, 100), true);
  assert.equal(needsMore(300, 300, true, 100), true);
  assert.equal(needsMore(300, 300, false, 100), false);
});

test('selection indexes stay inside the list', () => {
  assert.equal(clampIndex(-1, 5), 0);
  assert.equal(clampIndex(7, 5), 4);
  assert.equal(clampIndex(2, 5), 2);
  assert.equal(clampIndex(0, 0), -1);
});
