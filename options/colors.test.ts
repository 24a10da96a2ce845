import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nextColor, SWATCHES } from './colors.ts';

test('a new account gets the first unused swatch, ignoring case', () => {
  assert.equal(nextColor([]), SWATCHES[0]!.color);
  assert.equal(nextColor([SWATCHES[0]!.color.toUpperCase()]), SWATCHES[1]!.color);
});

test('when all swatches are used it cycles', () => {
  const all = SWATCHES.map((s) => s.color);
  assert.equal(nextColor(all), SWATCHES[all.length % SWATCHES.length]!.color);
  assert.equal(nextColor([...all, '#000000']), SWATCHES[1]!.color);
});

test('swatches are distinct #rrggbb colours', () => {
  const colors = SWATCHES.map((s) => s.color);
  assert.equal(new Set(colors).size, colors.length);
  for (const c of colors) assert.match(c, /^#[0-9a-f]{6}$/);
});
