import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MessageRow } from '../extension/store/schema.ts';
import { translator } from '../extension/ui/translate.ts';
import messages from './messages.en.json' with { type: 'json' };
import { inQuietHours, notificationIds, planNotifications } from './notification-plan.ts';

const t = translator(messages);

function row(uid: number, subject: string, date: number): MessageRow {
  return {
    accountId: 'a',
    folder: 'INBOX',
    uid,
    id: `a\0INBOX\0${uid}`,
    date,
    from: { name: 'Ada Lovelace', address: 'ada@example.org' },
    to: [],
    cc: [],
    subject,
    preview: '\nFirst line of text\nsecond',
    size: 100,
    seen: false,
    flagged: false,
    answered: false,
    hasAttachments: false,
    messageId: null,
    deletedLocally: false,
    bodyState: 'none',
    unread: 1,
    shownDate: date,
  };
}

test('quiet hours, including ranges that wrap midnight', () => {
  const at = (h: number, m = 0) => new Date(2026, 10, 28, h, m);
  const night = { enabled: true, start: '22:00', end: '07:00' };
  assert.equal(inQuietHours(at(23), night), true);
  assert.equal(inQuietHours(at(3), night), true);
  assert.equal(inQuietHours(at(7), night), false);
  assert.equal(inQuietHours(at(12), night), false);
  const lunch = { enabled: true, start: '12:00', end: '13:30' };
  assert.equal(inQuietHours(at(13, 15), lunch), true);
  assert.equal(inQuietHours(at(13, 30), lunch), false);
  assert.equal(inQuietHours(at(23), { ...night, enabled: false }), false);
});

test('one message: sender, subject and its first line of text', () => {
  const [n] = planNotifications([row(1, 'Hello', 1)], () => 'Work', t);
  assert.equal(n?.kind, 'single');
  assert.equal(n?.title, 'Ada Lovelace — Hello');
  assert.equal(n?.body, 'First line of text');
});

test('several at once collapse into one "N new messages", newest first', () => {
  const plan = planNotifications([row(1, 'old', 1), row(2, 'new', 5), row(3, 'mid', 3)], () => 'Work', t);
  assert.equal(plan.length, 1);
  const [n] = plan;
  assert.equal(n?.kind, 'summary');
  assert.equal(n?.title, '3 new messages');
  assert.match(n!.body, /^Ada Lovelace: new\nAda Lovelace: mid/);
  if (n?.kind === 'summary')
    assert.deepEqual(n.messageIds, ['a\0INBOX\x002', 'a\0INBOX\x003', 'a\0INBOX\x001']);
});

test('more than three: the newest three, "and N more", and the accounts; no sender or subject has words for it', () => {
  const anonymous = { ...row(9, '', 9), from: null };
  const plan = planNotifications(
    [row(1, 'a', 1), row(2, 'b', 2), row(3, 'c', 3), row(4, 'd', 4), anonymous],
    () => 'Work',
    t,
  );
  assert.equal(plan[0]?.title, '5 new messages');
  assert.equal(
    plan[0]?.body,
    'Unknown sender: (no subject)\nAda Lovelace: d\nAda Lovelace: c\nand 2 more\nWork',
  );
  const [single] = planNotifications([anonymous], () => 'Work', t);
  assert.equal(single?.title, 'Unknown sender — (no subject)');
});

test('notification ids never repeat, also across background restarts (a reused id replaces the notification on screen)', () => {
  // Each call is one background's life; the same millisecond does not make two runs alike.
  const runs = Array.from({ length: 50 }, () => notificationIds());
  const ids = runs.flatMap((next) => Array.from({ length: 40 }, () => next()));
  assert.equal(new Set(ids).size, ids.length, 'every id is new');
  assert.ok(
    ids.every((id) => /^biff-[0-9a-z]+-\d+$/.test(id)),
    ids[0],
  );
  // Within one run the ids count up, so they also tell the order notifications were shown in.
  const one = notificationIds('run');
  assert.deepEqual([one(), one(), one()], ['biff-run-1', 'biff-run-2', 'biff-run-3']);
});
