/**
 * The soak's 2-minute version, part of `npm test`: every kind of fault at least once, then the
 * oracle must find nothing wrong. `npm run soak -- --minutes 30` is the long one.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatReport } from './oracle.ts';
import { runSoak } from './soak-run.ts';

test('soak: 2 minutes of random faults; every message stored once, announced once, the badge right', async () => {
  const { report, seed } = await runSoak({ minutes: 2, log: (line) => console.log(line) });
  const table = `seed ${seed}\n${formatReport(report)}`;
  console.log(table);
  assert.ok(report.messages > 0, 'mail was delivered');
  assert.ok(Object.keys(report.faults).length >= 5, `faults of several kinds were injected:\n${table}`);
  assert.deepEqual(report.problems, [], table);
  assert.equal(report.notificationIdsReused, 0, table);
  assert.equal(report.badge.shown, report.badge.expected, table);
  assert.equal(report.unread.shown, report.unread.expected, table);
  assert.equal(report.pop3Maildrop, 0, table);
  assert.ok(report.ok, table);
});
