import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ImapFlow } from 'imapflow';
import { fetchServerPreviews } from './server-preview.ts';

type Untagged = { attributes: [unknown, unknown[]] };

/** A client whose command queue answers with `untagged` FETCH responses, or fails with `error`. */
function client(
  untagged: Untagged[],
  error?: unknown,
): { imap: ImapFlow; sent: unknown[][]; nexts: number[] } {
  const sent: unknown[][] = [];
  const nexts: number[] = [];
  const imap = {
    async exec(
      command: string,
      attributes: unknown[],
      options: { untagged: { FETCH: (u: Untagged) => Promise<void> } },
    ) {
      sent.push([command, ...attributes]);
      if (error) throw error;
      for (const u of untagged) await options.untagged.FETCH(u);
      return { next: () => nexts.push(1) };
    },
  };
  return { imap: imap as unknown as ImapFlow, sent, nexts };
}

const atom = (value: string) => ({ type: 'ATOM', value });
const fetchOf = (...items: unknown[]): Untagged => ({ attributes: [atom('1'), items] });

test('asks UID FETCH <set> (UID PREVIEW) and reads quoted, literal and NIL previews', async () => {
  const { imap, sent, nexts } = client([
    fetchOf(atom('UID'), atom('7'), atom('PREVIEW'), { type: 'STRING', value: '  Lunch at   noon? ' }),
    fetchOf(
      atom('PREVIEW'),
      { type: 'LITERAL', value: Buffer.from('Grüße aus Köln') },
      atom('UID'),
      atom('8'),
    ),
    fetchOf(atom('UID'), atom('9'), atom('PREVIEW'), null),
    // Another client's flag change, unsolicited, during the command.
    fetchOf(atom('UID'), atom('3'), atom('FLAGS'), [atom('\\Seen')]),
    fetchOf(atom('uid'), atom('10'), atom('preview'), { type: 'STRING', value: '' }),
  ]);
  const previews = await fetchServerPreviews(imap, [7, 8, 9, 10]);
  assert.deepEqual(sent, [
    ['UID FETCH', { type: 'SEQUENCE', value: '7:10' }, [atom('UID'), atom('PREVIEW')]],
  ]);
  assert.deepEqual(
    [...(previews ?? [])],
    [
      [7, 'Lunch at noon?'],
      [8, 'Grüße aus Köln'],
      [10, ''],
    ],
    'NIL and the unsolicited response are left out',
  );
  assert.equal(nexts.length, 1, 'the command queue is released');
});

test('a NO or BAD is a refusal (null); a dropped connection is thrown', async () => {
  for (const status of ['NO', 'BAD']) {
    const refused = Object.assign(new Error('Command failed'), { responseStatus: status });
    assert.equal(await fetchServerPreviews(client([], refused).imap, [1]), null, status);
  }
  const dropped = Object.assign(new Error('Connection closed'), { code: 'NoConnection' });
  await assert.rejects(fetchServerPreviews(client([], dropped).imap, [1]), /Connection closed/);
});
