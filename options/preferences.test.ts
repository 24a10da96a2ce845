import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validatePreferences } from './preferences.ts';

test('quiet hours off: times are not checked', () => {
  assert.deepEqual(validatePreferences({ enabled: false, start: '', end: 'x' }), {});
});

test('quiet hours on: two valid, different times (overnight is fine)', () => {
  assert.deepEqual(validatePreferences({ enabled: true, start: '22:00', end: '07:00' }), {});
  assert.equal(
    validatePreferences({ enabled: true, start: '24:00', end: '07:00' }).quietStart?.key,
    'options_errorTime',
  );
  assert.equal(
    validatePreferences({ enabled: true, start: '22:00', end: '7:00' }).quietEnd?.key,
    'options_errorTime',
  );
  assert.equal(
    validatePreferences({ enabled: true, start: '08:00', end: '08:00' }).quietEnd?.key,
    'options_errorQuietSame',
  );
});
