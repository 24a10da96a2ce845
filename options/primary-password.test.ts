import assert from 'node:assert/strict';
import { test } from 'node:test';
import messages from './messages.en.json' with { type: 'json' };
import { PRIMARY_PASSWORD_MIN_CHARS, validatePrimaryPassword } from './primary-password.ts';

test('a new primary password must be long enough and confirmed', () => {
  assert.deepEqual(validatePrimaryPassword('long enough ✓', 'long enough ✓'), {});
  assert.deepEqual(validatePrimaryPassword('', ''), { next: { key: 'options_primaryErrorRequired' } });
  assert.deepEqual(validatePrimaryPassword('        ', '        '), {
    next: { key: 'options_primaryErrorRequired' },
  });
  assert.deepEqual(validatePrimaryPassword('short', 'short'), {
    next: { key: 'options_primaryErrorShort', args: [PRIMARY_PASSWORD_MIN_CHARS] },
  });
  // Characters, not UTF-16 units: seven emoji are seven characters.
  assert.equal(
    validatePrimaryPassword('🔒🔒🔒🔒🔒🔒🔒', '🔒🔒🔒🔒🔒🔒🔒').next?.key,
    'options_primaryErrorShort',
  );
  assert.deepEqual(validatePrimaryPassword('long enough', 'long enougH'), {
    confirm: { key: 'options_primaryErrorMismatch' },
  });
});

test('changing it also needs the current one', () => {
  assert.deepEqual(validatePrimaryPassword('long enough', 'long enough', ''), {
    current: { key: 'options_primaryErrorCurrent' },
  });
  assert.deepEqual(validatePrimaryPassword('long enough', 'long enough', 'old one'), {});
});

test('every message key it names exists', () => {
  for (const key of [
    'options_primaryErrorCurrent',
    'options_primaryErrorRequired',
    'options_primaryErrorShort',
    'options_primaryErrorMismatch',
  ])
    assert.ok(key in messages, key);
});
