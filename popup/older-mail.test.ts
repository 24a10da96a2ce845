import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FolderRow } from '../extension/store/schema.ts';
import type { AccountInfo } from './account-info.ts';
import { listEnd } from './list-end.ts';
import type { Loaded } from './message-pages.ts';
import { olderTargets, planOlder, summariseRound, targetKey } from './older-mail.ts';

function info(id: string, protocol: 'imap' | 'pop3', folders: string[] = ['INBOX']): AccountInfo {
  return { id, name: id, color: '#123456', email: `${id}@example.org`, protocol, folders };
}

const ACCOUNTS = [
  info('work', 'imap', ['INBOX', 'Lists/dev']),
  info('home', 'pop3'),
  info('club', 'imap', ['INBOX']),
];

function folder(accountId: string, path: string, messages: number, synced = true): FolderRow {
  return {
    accountId,
    path,
    uidValidity: synced ? 7 : null,
    uidNext: synced ? messages + 1 : null,
    highestModseq: null,
    messages,
    unseen: 0,
    specialUse: null,
    lastSync: synced ? 1 : null,
  };
}

const rows = (accountId: string, path: string, n: number) =>
  Array.from({ length: n }, () => ({ accountId, folder: path }));

test('targets: every IMAP account’s watched folders, one account’s, or one folder; never POP3', () => {
  assert.deepEqual(olderTargets({}, ACCOUNTS), [
    { accountId: 'work', folder: 'INBOX' },
    { accountId: 'work', folder: 'Lists/dev' },
    { accountId: 'club', folder: 'INBOX' },
  ]);
  assert.deepEqual(olderTargets({ accountId: 'work' }, ACCOUNTS), [
    { accountId: 'work', folder: 'INBOX' },
    { accountId: 'work', folder: 'Lists/dev' },
  ]);
  assert.deepEqual(olderTargets({ accountId: 'work', folder: 'Archive' }, ACCOUNTS), [
    { accountId: 'work', folder: 'Archive' },
  ]);
  assert.deepEqual(olderTargets({ accountId: 'home' }, ACCOUNTS), []);
  assert.deepEqual(olderTargets({ accountId: 'gone' }, ACCOUNTS), []);
});

test('targets: a folder listed twice is asked for once', () => {
  assert.deepEqual(olderTargets({}, [info('a', 'imap', ['INBOX', 'INBOX'])]), [
    { accountId: 'a', folder: 'INBOX' },
  ]);
});

test('plan: asks folders whose cache holds fewer rows than the server has', () => {
  const targets = olderTargets({}, ACCOUNTS);
  const plan = planOlder({
    targets,
    folders: [folder('work', 'INBOX', 300), folder('work', 'Lists/dev', 40), folder('club', 'INBOX', 5)],
    rows: [...rows('work', 'INBOX', 100), ...rows('work', 'Lists/dev', 40), ...rows('club', 'INBOX', 4)],
    exhausted: new Set(),
  });
  assert.deepEqual(plan.ask, [
    { accountId: 'work', folder: 'INBOX' },
    { accountId: 'club', folder: 'INBOX' },
  ]);
  assert.deepEqual(plan.unknown, []);
});

test('plan: rows of other folders or accounts do not count for a folder', () => {
  const plan = planOlder({
    targets: [{ accountId: 'work', folder: 'INBOX' }],
    folders: [folder('work', 'INBOX', 10)],
    rows: [...rows('work', 'Lists/dev', 10), ...rows('club', 'INBOX', 10)],
    exhausted: new Set(),
  });
  assert.deepEqual(plan.ask, [{ accountId: 'work', folder: 'INBOX' }]);
});

test('plan: exhausted folders are not asked again; unsynchronised ones are unknown', () => {
  const plan = planOlder({
    targets: olderTargets({}, ACCOUNTS),
    folders: [folder('work', 'INBOX', 300), folder('work', 'Lists/dev', 0, false)],
    rows: [],
    exhausted: new Set([targetKey({ accountId: 'work', folder: 'INBOX' })]),
  });
  assert.deepEqual(plan.ask, []);
  assert.deepEqual(plan.unknown, [
    { accountId: 'work', folder: 'Lists/dev' },
    { accountId: 'club', folder: 'INBOX' },
  ]);
});

test('targets with the same path in different accounts stay apart', () => {
  const plan = planOlder({
    targets: [
      { accountId: 'work', folder: 'INBOX' },
      { accountId: 'club', folder: 'INBOX' },
    ],
    folders: [folder('work', 'INBOX', 2), folder('club', 'INBOX', 2)],
    rows: rows('work', 'INBOX', 2),
    exhausted: new Set(),
  });
  assert.deepEqual(plan.ask, [{ accountId: 'club', folder: 'INBOX' }]);
});

test('a round: adds up, marks exhausted and empty answers as the end, keeps the first failure', () => {
  const asked = [
    { accountId: 'work', folder: 'INBOX' },
    { accountId: 'work', folder: 'Lists/dev' },
    { accountId: 'club', folder: 'INBOX' },
    { accountId: 'club', folder: 'Sent' },
  ];
  const first = new Error('relay down');
  const round = summariseRound(asked, [
    { status: 'fulfilled', value: { added: 200, exhausted: false } },
    { status: 'fulfilled', value: { added: 12, exhausted: true } },
    { status: 'fulfilled', value: { added: 0, exhausted: false } },
    { status: 'rejected', reason: first },
  ]);
  assert.equal(round.added, 212);
  assert.deepEqual(round.exhausted, [targetKey(asked[1]!), targetKey(asked[2]!)]);
  assert.equal(round.failure, first);
  const clean = summariseRound(asked.slice(0, 1), [
    { status: 'fulfilled', value: { added: 5, exhausted: false } },
  ]);
  assert.deepEqual(clean, { added: 5, exhausted: [], failure: null });
});

test('the list footer follows the pages first, then older mail', () => {
  const done: Loaded = { rows: [], next: null, capped: false };
  const more: Loaded = { rows: [], next: { date: 1, id: 'x' }, capped: false };
  const capped: Loaded = { rows: [], next: { date: 1, id: 'x' }, capped: true };
  assert.equal(listEnd(null, 'done', false), 'loading');
  assert.equal(listEnd(capped, 'pending', false), 'capped');
  assert.equal(listEnd(more, 'failed', false), 'more');
  assert.equal(listEnd(done, 'pending', false), 'older');
  assert.equal(listEnd(done, 'loading', true), 'older');
  assert.equal(listEnd(done, 'failed', false), 'older-failed');
  assert.equal(listEnd(done, 'done', true), 'no-older');
  assert.equal(listEnd(done, 'unknown', false), 'end');
  assert.equal(listEnd(done, 'unknown', true), 'end-of-folder');
});
