import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withAccountLock } from './account-lock.ts';

test('jobs of one account run one at a time, in order, even when one fails', async () => {
  const log: string[] = [];
  const job =
    (name: string, ms: number, fail = false) =>
    async () => {
      log.push(`start ${name}`);
      await new Promise((r) => setTimeout(r, ms));
      log.push(`end ${name}`);
      if (fail) throw new Error(name);
      return name;
    };
  const a = withAccountLock('x', job('a', 30, true));
  const b = withAccountLock('x', job('b', 5));
  const other = withAccountLock('y', job('other', 1));
  await assert.rejects(a, /a/);
  assert.equal(await b, 'b');
  assert.equal(await other, 'other');
  assert.deepEqual(
    log.filter((l) => !l.includes('other')),
    ['start a', 'end a', 'start b', 'end b'],
  );
  assert.ok(log.indexOf('end other') < log.indexOf('end a'), 'another account does not wait');
});
