import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exportReport, mboxFileName } from './mbox-export.ts';

const DAY = new Date(2024, 2, 5, 23, 59);

test('the file name carries the account name and the local date', () => {
  assert.equal(mboxFileName('Work', DAY), 'biff-Work-2024-03-05.mbox');
  assert.equal(mboxFileName('Home mail (old)', DAY), 'biff-Home-mail-old-2024-03-05.mbox');
});

test('the file name keeps letters of any script and drops what file systems refuse', () => {
  assert.equal(mboxFileName('Café Ünïcode', DAY), 'biff-Café-Ünïcode-2024-03-05.mbox');
  assert.equal(mboxFileName('../../etc/passwd', DAY), 'biff-etc-passwd-2024-03-05.mbox');
  assert.equal(mboxFileName('a:b*c?"<>|\\d\u0000e', DAY), 'biff-a-b-c-d-e-2024-03-05.mbox');
  assert.equal(mboxFileName('ada@example.org', DAY), 'biff-ada-example.org-2024-03-05.mbox');
});

test('an empty or all-symbol name still gives a usable file name', () => {
  assert.equal(mboxFileName('', DAY), 'biff-account-2024-03-05.mbox');
  assert.equal(mboxFileName('★★★', DAY), 'biff-account-2024-03-05.mbox');
  assert.equal(mboxFileName('...', DAY), 'biff-account-2024-03-05.mbox');
});

test('a long name is cut by code point, never mid-character, and without a trailing dash', () => {
  const long = '𠀀'.repeat(100);
  const name = mboxFileName(long, DAY);
  assert.equal(name, `biff-${'𠀀'.repeat(60)}-2024-03-05.mbox`);
  assert.equal(mboxFileName(`${'a'.repeat(59)} tail`, DAY), `biff-${'a'.repeat(59)}-2024-03-05.mbox`);
});

test('the report says how many were exported and, by protocol, why others were left out', () => {
  assert.deepEqual(exportReport('pop3', 12, 0), [{ key: 'options_exportDone', args: ['12'] }]);
  assert.deepEqual(exportReport('pop3', 12, 3), [
    { key: 'options_exportDone', args: ['12'] },
    { key: 'options_exportSkippedPop3', args: ['3'] },
  ]);
  assert.deepEqual(exportReport('imap', 0, 40), [
    { key: 'options_exportNothing' },
    { key: 'options_exportSkippedImap', args: ['40'] },
  ]);
  assert.deepEqual(exportReport('imap', 0, 0), [{ key: 'options_exportNothing' }]);
});
