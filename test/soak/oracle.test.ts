import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  badgeText,
  type Delivery,
  expectedFrom,
  type FaultRecord,
  judge,
  type SoakFacts,
  tooltipUnread,
} from './oracle.ts';

const LIMITS = { lateAfterMs: 120_000, faultWindowMs: 60_000 };

function delivery(
  subject: string,
  mailbox: Delivery['mailbox'],
  at: number,
  touched: Delivery['touched'] = [],
) {
  return { subject, mailbox, deliveredAt: at, touched };
}

/** A run where everything went right: three messages, stored once, announced once. */
function clean(): SoakFacts {
  return {
    startedAt: 0,
    endedAt: 600_000,
    deliveries: [delivery('a', 'INBOX', 1_000), delivery('b', 'Work', 2_000), delivery('p', 'POP3', 3_000)],
    faults: [{ kind: 'blackhole', start: 500, end: 60_500 }],
    firstSeen: { a: 5_000, b: 70_000, p: 63_000 },
    server: [
      { subject: 'a', folder: 'INBOX', seen: false },
      { subject: 'b', folder: 'Work', seen: true },
    ],
    pop3Maildrop: 0,
    stored: [
      { subject: 'a', protocol: 'imap', folder: 'INBOX', seen: false, deletedLocally: false },
      { subject: 'b', protocol: 'imap', folder: 'Work', seen: true, deletedLocally: false },
      { subject: 'p', protocol: 'pop3', folder: '', seen: false, deletedLocally: false },
    ],
    announced: ['a', 'b', 'p'],
    notificationIds: ['biff-x-1', 'biff-x-2', 'biff-y-1'],
    badge: '2',
    badgeTitle: 'Biff\nSoak IMAP: 1 unread, checked just now\nSoak POP3: 1 unread, checked just now',
    announcedAfterReconnect: [],
  };
}

test('a clean run passes, with its delays', () => {
  const report = judge(clean(), LIMITS);
  assert.deepEqual(report.problems, []);
  assert.equal(report.ok, true);
  assert.deepEqual(report.delayMs, { p50: 60_000, p95: 68_000, max: 68_000 });
  assert.deepEqual(report.byMailbox, { INBOX: 1, Work: 1, POP3: 1 });
  assert.deepEqual(report.faults, { blackhole: 1 });
});

test('missing, duplicated and stale messages are each named', () => {
  const facts = clean();
  facts.stored = [
    // a: twice; b: missing from Work but still in INBOX where the server no longer has it; p: missing.
    facts.stored[0]!,
    { ...facts.stored[0]! },
    { subject: 'b', protocol: 'imap', folder: 'INBOX', seen: true, deletedLocally: false },
  ];
  facts.badge = '1';
  const report = judge(facts, LIMITS);
  assert.equal(report.duplicated, 1);
  assert.equal(report.missing, 2);
  assert.equal(report.stale, 1);
  assert.equal(report.ok, false);
  assert.deepEqual(
    report.problems.map((p) => `${p.problem}:${p.subject}`),
    ['duplicated:a', 'missing:b', 'stored but gone on the server:b', 'missing:p'],
  );
});

test('a message hidden here (deleted locally) does not count as stored', () => {
  const facts = clean();
  facts.stored[0] = { ...facts.stored[0]!, deletedLocally: true };
  assert.deepEqual(
    judge(facts, LIMITS).problems.map((p) => p.problem),
    ['missing'],
  );
});

test('late is measured from when the message could have arrived: after a fault in force at delivery', () => {
  const facts = clean();
  // b was delivered at 2 s, during the blackhole that ended at 60.5 s: 190 s after that is late.
  facts.firstSeen.b = 60_500 + 121_000;
  const report = judge(facts, LIMITS);
  assert.equal(report.late, 1);
  assert.match(report.problems[0]!.detail!, /^121\.0 s/);
  facts.firstSeen.b = 60_500 + 119_000;
  assert.equal(judge(facts, LIMITS).late, 0);
});

/** A blow (a reset, a worker stop) or a span (a blackhole, a relay down) at `start`..`end` s. */
function fault(kind: FaultRecord['kind'], start: number, end = start): FaultRecord {
  return { kind, start: start * 1000, end: end * 1000 };
}

test('a fault starting within the bound after delivery holds the message up until it ends', () => {
  const m = delivery('m', 'INBOX', 0);
  // The 30-minute run's #104: a worker stop 3 s before delivery, then at 33 s a 114 s blackhole.
  const faults = [fault('worker-stop', -3), fault('blackhole', 33, 147)];
  assert.equal(expectedFrom(m, faults, 60_000), 147_000);
  const facts = clean();
  facts.deliveries = [m];
  facts.faults = faults;
  facts.server = [{ subject: 'm', folder: 'INBOX', seen: false }];
  facts.stored = [{ subject: 'm', protocol: 'imap', folder: 'INBOX', seen: false, deletedLocally: false }];
  facts.announced = ['m'];
  facts.badge = '1';
  facts.firstSeen = { m: 147_000 + 119_000 };
  assert.deepEqual(judge(facts, LIMITS).problems, []);
  facts.firstSeen = { m: 147_000 + 121_000 };
  const report = judge(facts, LIMITS);
  assert.equal(report.late, 1);
  assert.match(
    report.problems[0]!.detail!,
    /^121\.0 s after it could have arrived, faults until 147\.0 s after delivery/,
  );
});

test('one step: the faults starting within the bound after it could have arrived; a fault once the bound has passed excuses nothing', () => {
  const m = delivery('m', 'INBOX', 0);
  // A relay down at 10-18 s and a blackhole from 50 s to 200 s, both within the bound: 200 s,
  // in any order. A reset at 230 s (within the bound after the blackhole's end) does not move it
  // again: faults every few seconds would otherwise make one chain of a whole soak.
  const faults = [fault('reset', 230), fault('blackhole', 50, 200), fault('relay-kill', 10, 18)];
  assert.equal(expectedFrom(m, faults, 60_000), 200_000);
  // Delivered during a relay outage (5-20 s) that a blackhole overlaps (15-40 s): from 40 s,
  // and a reset within the bound after that moves it to the reset.
  assert.equal(
    expectedFrom(m, [fault('relay-kill', -5, 20), fault('blackhole', 15, 40), fault('reset', 90)], 60_000),
    90_000,
  );
  // A blackhole starting 61 s after delivery: the message should have been there by then.
  assert.equal(expectedFrom(m, [fault('blackhole', 61, 180)], 60_000), 0);
  // Nor does a fault that ended before delivery.
  assert.equal(expectedFrom(m, [fault('relay-kill', -20, -1)], 60_000), 0);
  // Another client's changes do not cut anything off.
  const others = [
    fault('mark-read', 5),
    fault('delete', 20),
    fault('move', 30),
    fault('uidvalidity', 40, 42),
  ];
  assert.equal(expectedFrom(m, others, 60_000), 0);
  const facts = clean();
  facts.deliveries = [m];
  facts.faults = [fault('blackhole', 61, 180), ...others];
  facts.server = [{ subject: 'm', folder: 'INBOX', seen: false }];
  facts.stored = [{ subject: 'm', protocol: 'imap', folder: 'INBOX', seen: false, deletedLocally: false }];
  facts.announced = ['m'];
  facts.badge = '1';
  facts.badgeTitle = 'Biff\nSoak IMAP: 1 unread, checked just now';
  facts.firstSeen = { m: 121_000 };
  assert.deepEqual(
    judge(facts, LIMITS).problems.map((p) => `${p.problem}: ${p.detail}`),
    ['late: 121.0 s after it could have arrived'],
  );
});

test('announcements: exactly one per new message; touched mail may have none; moved mail one more', () => {
  const facts = clean();
  facts.announced = ['a', 'a', 'p'];
  let report = judge(facts, LIMITS);
  assert.deepEqual(
    report.problems.map((p) => `${p.problem}:${p.subject}`),
    ['announced twice:a', 'not announced:b'],
  );
  facts.deliveries[0]!.touched.push('moved');
  facts.deliveries[1]!.touched.push('read');
  report = judge(facts, LIMITS);
  assert.deepEqual(report.problems, []);
  facts.announcedAfterReconnect = ['p'];
  assert.deepEqual(
    judge(facts, LIMITS).problems.map((p) => p.problem),
    ['announced again after a reconnect'],
  );
});

test('mail that reached a folder right after its UIDVALIDITY changed needs exactly one announcement', () => {
  const facts = clean();
  facts.deliveries[0]!.touched.push('after-uidvalidity');
  facts.announced = ['b', 'p'];
  assert.deepEqual(
    judge(facts, LIMITS).problems.map((p) => `${p.problem}:${p.subject}`),
    ['not announced:a'],
  );
  facts.announced = ['a', 'a', 'b', 'p'];
  assert.deepEqual(
    judge(facts, LIMITS).problems.map((p) => `${p.problem}:${p.subject}`),
    ['announced twice:a'],
  );
  facts.announced = ['a', 'b', 'p'];
  assert.deepEqual(judge(facts, LIMITS).problems, []);
  // Read by another client too: then, as for any read mail, none is fine.
  facts.deliveries[0]!.touched.push('read');
  facts.announced = ['b', 'p'];
  assert.deepEqual(judge(facts, LIMITS).problems, []);
});

test('the badge is the server’s unseen plus POP3 unread; reused notification ids and a full maildrop fail', () => {
  const facts = clean();
  facts.badge = '3';
  assert.equal(judge(facts, LIMITS).ok, false);
  facts.badge = '2';
  facts.notificationIds.push('biff-x-1');
  assert.equal(judge(facts, LIMITS).notificationIdsReused, 1);
  assert.equal(judge(facts, LIMITS).ok, false);
  facts.notificationIds.pop();
  facts.pop3Maildrop = 2;
  assert.equal(judge(facts, LIMITS).ok, false);
  assert.deepEqual([badgeText(0), badgeText(7), badgeText(99), badgeText(100)], ['', '7', '99', '99+']);
});

test('over 99 the badge shows "99+": the exact count is the tooltip’s, and it must match too', () => {
  const facts = clean();
  // 104 unseen on the server, 1 POP3 unread: 105.
  for (let i = 0; i < 103; i++) facts.server.push({ subject: `x${i}`, folder: 'INBOX', seen: false });
  facts.badge = '99+';
  facts.badgeTitle = 'Biff\nSoak IMAP: 104 unread, checked just now\nSoak POP3: 1 unread, checked just now';
  const report = judge(facts, LIMITS);
  assert.deepEqual(report.unread, { shown: 105, expected: 105 });
  assert.deepEqual(report.badge, { shown: '99+', expected: '99+' });
  assert.equal(report.ok, true);
  // One unread too many, still "99+" on the badge.
  facts.badgeTitle = 'Biff\nSoak IMAP: 105 unread, checked just now\nSoak POP3: 1 unread, checked just now';
  assert.equal(judge(facts, LIMITS).ok, false);
  // A tooltip with no counts fails rather than passes.
  facts.badgeTitle = 'Biff';
  assert.equal(judge(facts, LIMITS).unread.shown, null);
  assert.equal(judge(facts, LIMITS).ok, false);
  assert.equal(
    tooltipUnread('Biff — cannot check A\nA: 3 unread, 2 minutes ago — timed out\nB: 0 unread, never'),
    3,
  );
});
