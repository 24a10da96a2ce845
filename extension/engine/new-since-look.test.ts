import assert from 'node:assert/strict';
import { test } from 'node:test';
import { messageId } from '../store/keys.ts';
import { NewSinceLook } from './new-since-look.ts';

test('renumber: after a rebuild the folder’s ids follow their messages; the others are dropped', async () => {
  const unread = new Set<string>();
  const look = new NewSinceLook({}, async (id) => unread.has(id));
  const work = (uid: number) => messageId('a', 'Work', uid);
  const inbox = messageId('a', 'INBOX', 5);
  look.add('a', [work(5), work(6), inbox]);
  look.add('b', [messageId('b', 'Work', 5)]);
  // UIDVALIDITY of Work changed: message 5 is now 2, message 6 is gone, and UID 6 is another message.
  for (const id of [work(2), work(6), inbox, messageId('b', 'Work', 5)]) unread.add(id);
  look.renumber('a', 'Work', [[work(5), work(2)]]);
  assert.deepEqual(look.saved(), { a: [work(2), inbox], b: [messageId('b', 'Work', 5)] });
  await look.recount('a');
  assert.equal(look.count('a'), 2);
  // Another folder whose name starts the same is not touched.
  look.add('a', [messageId('a', 'Work2', 1)]);
  look.renumber('a', 'Work', []);
  assert.deepEqual(look.saved().a, [inbox, messageId('a', 'Work2', 1)]);
});
