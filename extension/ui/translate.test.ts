import assert from 'node:assert/strict';
import { test } from 'node:test';
import { translator } from './translate.ts';

test('fills $1…$9 as i18n.getMessage does, $$ is a dollar, a missing key shows itself', () => {
  const t = translator({
    two: { message: '$2 before $1' },
    money: { message: '$$$1 each' },
  });
  assert.equal(t('two', 'a', 7), '7 before a');
  assert.equal(t('money', 5), '$5 each');
  assert.equal(t('absent'), '⟦absent⟧');
});
