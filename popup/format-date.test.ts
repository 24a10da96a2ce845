import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatFullDate, formatListTime } from './format-date.ts';

const NOW = Date.UTC(2024, 5, 15, 16, 30); // Sat 15 Jun 2024 16:30 UTC

test('a message from today shows HH:MM in 24-hour form', () => {
  assert.equal(formatListTime(Date.UTC(2024, 5, 15, 9, 5), NOW, 'en-GB', 'UTC'), '09:05');
  // Even where the locale's default clock is 12-hour.
  assert.equal(formatListTime(Date.UTC(2024, 5, 15, 14, 7), NOW, 'en-US', 'UTC'), '14:07');
});

test('a message from earlier this year shows day and month', () => {
  assert.equal(formatListTime(Date.UTC(2024, 2, 5, 10), NOW, 'en-GB', 'UTC'), '5 Mar');
  assert.equal(formatListTime(Date.UTC(2024, 5, 14, 23, 59), NOW, 'en-GB', 'UTC'), '14 Jun');
  assert.equal(formatListTime(Date.UTC(2024, 2, 5, 10), NOW, 'en-US', 'UTC'), 'Mar 5');
});

test('a message from another year shows the full date', () => {
  assert.equal(formatListTime(Date.UTC(2023, 11, 31, 23), NOW, 'en-GB', 'UTC'), '31 Dec 2023');
  assert.equal(formatListTime(Date.UTC(2025, 0, 1), NOW, 'en-GB', 'UTC'), '1 Jan 2025');
});

test('"today" is decided in the given time zone, not in UTC', () => {
  // 23:30 UTC on the 15th is already the 16th in Berlin: "yesterday" there relative to a Berlin now on the 16th.
  const now = Date.UTC(2024, 5, 16, 8); // 10:00 in Berlin
  const late = Date.UTC(2024, 5, 15, 23, 30); // 01:30 on the 16th in Berlin
  assert.equal(formatListTime(late, now, 'en-GB', 'Europe/Berlin'), '01:30');
  assert.equal(formatListTime(late, now, 'en-GB', 'America/New_York'), '15 Jun');
});

test('the reader date has day, month, year and time', () => {
  assert.equal(formatFullDate(Date.UTC(2024, 2, 5, 14, 5), 'en-GB', 'UTC'), '5 Mar 2024, 14:05');
  // 24-hour like the list, in every locale.
  assert.equal(formatFullDate(Date.UTC(2024, 2, 5, 14, 5), 'en-US', 'UTC'), 'Mar 5, 2024, 14:05');
});
