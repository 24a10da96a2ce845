import assert from 'node:assert/strict';
import { test } from 'node:test';
import { requestPersistentStorage } from './persistence.ts';

test('asks for persistence unless it is already granted', async () => {
  let asked = 0;
  const storage = (persisted: boolean, grant: boolean) => ({
    persisted: async () => persisted,
    persist: async () => {
      asked += 1;
      return grant;
    },
  });
  assert.equal(await requestPersistentStorage(storage(true, false)), true);
  assert.equal(asked, 0);
  assert.equal(await requestPersistentStorage(storage(false, true)), true);
  assert.equal(await requestPersistentStorage(storage(false, false)), false);
  assert.equal(asked, 2);
});

test('never throws: a missing API or a failing call is false', async () => {
  assert.equal(await requestPersistentStorage(undefined), false);
  assert.equal(await requestPersistentStorage({}), false);
  assert.equal(
    await requestPersistentStorage({
      persist: async () => {
        throw new Error('denied');
      },
    }),
    false,
  );
  assert.equal(
    await requestPersistentStorage({ persist: async () => true }),
    true,
    'works without persisted()',
  );
});
