import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bytes, freshDb, pop3Download, summary } from '../../test/support/store.ts';
import { BodiesRepo } from './bodies-repo.ts';
import { asctime, exportMbox, mboxrdEntry, toMboxrd } from './mbox.ts';
import { MessagesRepo } from './messages-repo.ts';
import { PendingRepo } from './pending-repo.ts';
import { Pop3Repo } from './pop3-repo.ts';

const decode = (data: Uint8Array) => new TextDecoder().decode(data);

/** An independent mboxrd reader: split on separator lines, strip one '>' from quoted lines. */
function readMboxrd(text: string): { separator: string; body: string }[] {
  const messages: { separator: string; lines: string[] }[] = [];
  const lines = text.split('\n');
  assert.equal(lines.pop(), '', 'file ends with a newline');
  for (const line of lines) {
    if (line.startsWith('From ')) messages.push({ separator: line, lines: [] });
    else messages.at(-1)?.lines.push(/^>+From /.test(line) ? line.slice(1) : line);
  }
  return messages.map(({ separator, lines: body }) => {
    assert.equal(body.pop(), '', 'each message ends with an empty line');
    return { separator, body: `${body.join('\n')}\n` };
  });
}

test('asctime: C asctime in UTC, day of month padded with a space', () => {
  assert.equal(asctime(Date.UTC(2024, 0, 1, 9, 5, 0)), 'Mon Jan  1 09:05:00 2024');
  assert.equal(asctime(Date.UTC(2023, 11, 31, 23, 59, 59)), 'Sun Dec 31 23:59:59 2023');
  assert.equal(asctime(Date.UTC(2026, 10, 28, 0, 8, 0)), 'Sat Nov 28 00:08:00 2026');
  assert.equal(asctime(Number.NaN), 'Thu Jan  1 00:00:00 1970');
});

test('From lines at any quoting depth gain one >, other lines are untouched', () => {
  const raw = bytes(
    [
      'Subject: From here',
      '',
      'From the start',
      '>From quoted once',
      '>>From quoted twice',
      'from lower case',
      'Fromage',
      ' From indented',
      '>> not From',
      'From',
      '',
    ].join('\r\n'),
  );
  const out = decode(mboxrdEntry({ sender: 'ann@example.org', date: Date.UTC(2024, 0, 1), raw }));
  assert.equal(
    out,
    [
      'From ann@example.org Mon Jan  1 00:00:00 2024',
      'Subject: From here',
      '',
      '>From the start',
      '>>From quoted once',
      '>>>From quoted twice',
      'from lower case',
      'Fromage',
      ' From indented',
      '>> not From',
      'From',
      '',
      '',
    ].join('\n'),
  );
});

test('a source without a final newline still ends with a newline and the empty line; bare LF sources are kept', () => {
  const out = decode(mboxrdEntry({ sender: null, date: 0, raw: bytes('A: b\n\nbody\nFrom x') }));
  assert.equal(out, 'From MAILER-DAEMON Thu Jan  1 00:00:00 1970\nA: b\n\nbody\n>From x\n\n');
});

test('the separator sender is one printable word', () => {
  const out = decode(mboxrdEntry({ sender: ' odd name@example.org\r\n', date: 0, raw: bytes('x\r\n') }));
  assert.equal(out.split('\n')[0], 'From oddname@example.org Thu Jan  1 00:00:00 1970');
  assert.match(decode(mboxrdEntry({ sender: '', date: 0, raw: bytes('x') })), /^From MAILER-DAEMON /);
});

test('toMboxrd round-trips through an independent reader, bytes outside ASCII included', () => {
  const sources = [
    'Subject: one\r\n\r\nFrom me\r\n>From you\r\n',
    'Subject: two\r\n\r\nGrüße, 日本語\r\n\r\n\r\n',
    'Subject: three\r\n\r\n>>>>From deep\r\nend',
  ];
  const file = toMboxrd(sources.map((s, i) => ({ sender: `s${i}@x`, date: i * 1000, raw: bytes(s) })));
  const read = readMboxrd(decode(file));
  assert.equal(read.length, 3);
  read.forEach((message, i) => {
    assert.equal(message.separator, `From s${i}@x ${asctime(i * 1000)}`);
    const expected = sources[i]!.replace(/\r\n/g, '\n');
    assert.equal(message.body, expected.endsWith('\n') ? expected : `${expected}\n`);
  });
  // Bytes are copied as they are: invalid UTF-8 survives.
  const binary = new Uint8Array([0x41, 0xff, 0xfe, 0x0d, 0x0a]);
  assert.deepEqual(
    [...toMboxrd([{ sender: 'a', date: 0, raw: binary }])].slice(-5),
    [0x41, 0xff, 0xfe, 0x0a, 0x0a],
  );
});

test('exportMbox writes stored full sources oldest first and reports what it had to skip', async () => {
  const db = await freshDb();
  const pop3 = new Pop3Repo(db);
  await pop3.storeDownloaded(
    'pop',
    pop3Download('new', { raw: bytes('Subject: new\r\n\r\nFrom the new one\r\n'), date: 3000 }),
  );
  await pop3.storeDownloaded(
    'pop',
    pop3Download('old', { raw: bytes('Subject: old\r\n\r\nold\r\n'), date: 1000 }),
  );
  await pop3.storeDownloaded(
    'pop',
    pop3Download('big', { raw: bytes('Subject: big\r\n\r\n'), date: 2000, complete: false }),
  );
  await pop3.storeDownloaded('other', pop3Download('elsewhere', { raw: bytes('Subject: no\r\n\r\n') }));
  // An IMAP account: one message with a body, one without, one being deleted.
  const messages = new MessagesRepo(db);
  await messages.putSummaries([
    summary({ uid: 1, accountId: 'imap', date: 10 }),
    summary({ uid: 2, accountId: 'imap', date: 20 }),
    summary({ uid: 3, accountId: 'imap', date: 30 }),
  ]);
  const bodies = new BodiesRepo(db);
  for (const uid of [1, 3]) {
    await bodies.put({
      accountId: 'imap',
      folder: 'INBOX',
      uid,
      raw: bytes(`Subject: ${uid}\r\n\r\n`),
      complete: true,
    });
  }
  await new PendingRepo(db).deleteLocally([['imap', 'INBOX', 3]]);

  const popExport = await exportMbox(db, 'pop');
  assert.equal(popExport.blob.type, 'application/mbox');
  assert.equal(popExport.exported, 2);
  assert.deepEqual(popExport.skipped, [['pop', 'INBOX', 'big']]);
  const read = readMboxrd(await popExport.blob.text());
  assert.deepEqual(
    read.map((m) => m.body),
    ['Subject: old\n\nold\n', 'Subject: new\n\nFrom the new one\n'],
  );
  assert.match(await popExport.blob.text(), /\n>From the new one\n/);

  const imapExport = await exportMbox(db, 'imap');
  assert.equal(imapExport.exported, 1);
  assert.deepEqual(imapExport.skipped, [['imap', 'INBOX', 2]]);
  assert.deepEqual(
    readMboxrd(await imapExport.blob.text()).map((m) => m.body),
    ['Subject: 1\n\n'],
  );
});
