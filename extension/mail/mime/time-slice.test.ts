import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nextTurn, TimeSlice, UNITS_PER_CHECK } from './time-slice.ts';

test('a turn only once the budget is spent, the clock read every UNITS_PER_CHECK units', async () => {
  let now = 0;
  let reads = 0;
  const yields: number[] = [];
  const slice = new TimeSlice({
    budgetMs: 50,
    now: () => {
      reads++;
      return now;
    },
    yieldToLoop: async () => {
      yields.push(now);
    },
  });
  assert.equal(reads, 1); // the slice's start
  for (let i = 0; i < UNITS_PER_CHECK - 1; i++) assert.equal(slice.pause(), undefined);
  assert.equal(reads, 1);
  assert.equal(slice.pause(), undefined); // the clock is read: 0 ms of 50
  assert.equal(reads, 2);
  now = 49;
  assert.equal(slice.pause(UNITS_PER_CHECK), undefined);
  now = 50;
  const pause = slice.pause(UNITS_PER_CHECK);
  assert.ok(pause instanceof Promise);
  await pause;
  assert.deepEqual(yields, [50]);
  assert.equal(slice.turns, 1);
  // A new slice begins after the turn.
  now = 99;
  assert.equal(slice.pause(UNITS_PER_CHECK), undefined);
  now = 100;
  await slice.pause(UNITS_PER_CHECK);
  assert.equal(slice.turns, 2);
  // A costly step (a long line) reads the clock at once.
  now = 150;
  assert.ok(slice.pause(UNITS_PER_CHECK * 4) instanceof Promise);
});

test('the budget is validated', () => {
  for (const bad of [-1, Number.NaN, '5' as unknown as number]) {
    assert.throws(() => new TimeSlice({ budgetMs: bad }), RangeError);
  }
});

test('nextTurn lets tasks queued before it run first', async () => {
  const order: string[] = [];
  setImmediate(() => order.push('queued task'));
  await nextTurn();
  order.push('after the turn');
  assert.deepEqual(order, ['queued task', 'after the turn']);
});
