import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { checkDeps } from './check-deps.ts';

const SCRIPT = join(import.meta.dirname, 'check-deps.ts');

/** A tree that keeps every rule: each layer imports only downward, the API only in platform.ts. */
const CLEAN: Record<string, string> = {
  'extension/relay/transport.ts': 'export interface Transport { close(): void }\n',
  'extension/store/keys.ts': 'export const messageId = (a: string) => a;\n',
  'extension/store/repo.ts': "import { messageId } from './keys.ts';\nexport const repo = messageId;\n",
  'extension/mail/driver.ts': [
    "import type { Transport } from '../relay/transport.ts';",
    "import { repo } from '../store/repo.ts';",
    'export type Driver = { open(): Transport };',
    'export const r = repo;',
    '',
  ].join('\n'),
  'extension/engine/engine.ts': [
    "import type { Driver } from '../mail/driver.ts';",
    "import { repo } from '../store/repo.ts';",
    'export class Engine { constructor(readonly driver: Driver) { void repo; } }',
    '',
  ].join('\n'),
  'extension/contract.ts': 'export type Request = { name: string };\n',
  'extension/platform.ts': [
    "import browser from 'webextension-polyfill';",
    'export const send = (m: unknown) => browser.runtime.sendMessage(m);',
    '',
  ].join('\n'),
  'background/index.ts': [
    "import { Engine } from '../extension/engine/engine.ts';",
    "import { send } from '../extension/platform.ts';",
    'export const engine = new Engine({ open: () => ({ close() {} }) });',
    'void send;',
    '',
  ].join('\n'),
  'popup/app.tsx': [
    "import type { Request } from '../extension/contract.ts';",
    "import { send } from '../extension/platform.ts';",
    "// browser.runtime in a comment is not a use; neither is import x from '../background/index.ts'",
    'export const text = "chrome.tabs and import y from \'../background/index.ts\' in a string";',
    'export const go = (r: Request) => send(r);',
    '',
  ].join('\n'),
  // The documented exception: the popup's early boot script reaches the browser's own API.
  'popup/boot.ts': [
    'const api = globalThis as unknown as { browser?: object; chrome?: object };',
    'export const native = api.browser ?? api.chrome;',
    '',
  ].join('\n'),
  // A variable of its own called `chrome` is not the API.
  'relay/policy.ts': [
    'export function check(origin: string): boolean {',
    '  const chrome = /^chrome-extension:/.exec(origin);',
    '  return chrome !== null && chrome.index === 0;',
    '}',
    '',
  ].join('\n'),
  // Tests may import anything.
  'extension/store/keys.test.ts':
    "import 'fake-indexeddb/auto';\nimport { Engine } from '../engine/engine.ts';\nvoid Engine;\n",
  'test/support/world.ts': "import { Engine } from '../../extension/engine/engine.ts';\nvoid Engine;\n",
};

function tree(extra: Record<string, string> = {}): string {
  const root = mkdtempSync(join(tmpdir(), 'check-deps-'));
  for (const [path, text] of Object.entries({ ...CLEAN, ...extra })) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

function run(root: string): { status: number | null; output: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', SCRIPT, root], { encoding: 'utf8' });
  return { status: r.status, output: r.stdout + r.stderr };
}

test('a tree whose imports all point down passes', (t) => {
  const root = tree();
  t.after(() => rmSync(root, { recursive: true, force: true }));
  assert.deepEqual(checkDeps(root), []);
  const { status, output } = run(root);
  assert.equal(status, 0, output);
});

test('a back-import from mail/ into engine/ fails and names the import', (t) => {
  const root = tree({
    'extension/mail/driver.ts': `${CLEAN['extension/mail/driver.ts']}import '../engine/engine.ts';\n`,
  });
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const offences = checkDeps(root);
  assert.ok(
    offences.some(
      (o) => o.rule === 'layer' && o.key === 'extension/mail/driver.ts -> extension/engine/engine.ts',
    ),
    JSON.stringify(offences),
  );
  const { status, output } = run(root);
  assert.equal(status, 1);
  assert.match(output, /extension\/mail\/driver\.ts:5 imports extension\/engine\/engine\.ts/);
});

test('a type-only import counts: store/ may not even name an engine type', (t) => {
  const root = tree({
    'extension/store/repo.ts': `${CLEAN['extension/store/repo.ts']}import type { Engine } from '../engine/engine.ts';\nexport type E = Engine;\n`,
  });
  t.after(() => rmSync(root, { recursive: true, force: true }));
  // engine.ts imports store/repo.ts (and mail/driver.ts, which does too): a cycle as well.
  assert.deepEqual(
    checkDeps(root).map((o) => o.key),
    [
      'extension/store/repo.ts -> extension/engine/engine.ts',
      'cycle: extension/engine/engine.ts extension/mail/driver.ts extension/store/repo.ts',
    ],
  );
});

test('an import cycle fails and names every module on it', (t) => {
  const root = tree({
    'extension/store/keys.ts':
      "import { repo } from './repo.ts';\nexport const messageId = (a: string) => a;\nvoid repo;\n",
  });
  t.after(() => rmSync(root, { recursive: true, force: true }));
  assert.deepEqual(
    checkDeps(root).map((o) => o.key),
    ['cycle: extension/store/keys.ts extension/store/repo.ts'],
  );
  const { status, output } = run(root);
  assert.equal(status, 1);
  assert.match(output, /\[cycle\] import cycle among extension\/store\/keys\.ts, extension\/store\/repo\.ts/);
});

test('extension/ importing background/ or a page, background/ importing a page, a page importing background/ or engine/, fail', (t) => {
  const root = tree({
    'extension/engine/engine.ts': `${CLEAN['extension/engine/engine.ts']}import type { go } from '../../popup/app.tsx';\nexport type G = typeof go;\n`,
    'extension/contract.ts': `${CLEAN['extension/contract.ts']}export type { engine } from '../background/index.ts';\n`,
    'background/index.ts': `${CLEAN['background/index.ts']}import '../options/page.tsx';\n`,
    'options/page.tsx': "import { Engine } from '../extension/engine/engine.ts';\nvoid Engine;\n",
    'popup/status.ts': "export type { engine } from '../background/index.ts';\n",
  });
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const layer = checkDeps(root)
    .filter((o) => o.rule === 'layer')
    .map((o) => o.key)
    .sort();
  assert.deepEqual(layer, [
    'background/index.ts -> options/page.tsx',
    'extension/contract.ts -> background/index.ts',
    'extension/engine/engine.ts -> popup/app.tsx',
    'options/page.tsx -> extension/engine/engine.ts',
    'popup/status.ts -> background/index.ts',
  ]);
});

test('product code importing a test package or test code fails; tests importing them do not', (t) => {
  const root = tree({
    'extension/store/support.ts':
      "import 'fake-indexeddb/auto';\nimport { IDBFactory } from 'fake-indexeddb';\nimport '../../test/support/world.ts';\nvoid IDBFactory;\n",
    'background/dom.ts': "import { JSDOM } from 'jsdom';\nvoid JSDOM;\n",
  });
  t.after(() => rmSync(root, { recursive: true, force: true }));
  assert.deepEqual(
    checkDeps(root)
      .map((o) => o.key)
      .sort(),
    [
      'background/dom.ts -> jsdom',
      'extension/store/support.ts -> fake-indexeddb',
      'extension/store/support.ts -> fake-indexeddb',
      'extension/store/support.ts -> test/support/world.ts',
    ],
  );
});

test('the extension API outside platform.ts fails, whichever way it is reached', (t) => {
  const root = tree({
    'extension/ui/i18n.ts': 'export const t = (k: string) => browser.i18n.getMessage(k);\n',
    'background/alarms.ts': 'export const all = () => chrome?.alarms.getAll();\n',
    'options/polyfill.ts': "import browser from 'webextension-polyfill';\nexport default browser;\n",
    'popup/global.ts': 'export const api = (globalThis as unknown as { chrome: object }).chrome;\n',
  });
  t.after(() => rmSync(root, { recursive: true, force: true }));
  assert.deepEqual(
    checkDeps(root)
      .map((o) => o.key)
      .sort(),
    [
      'background/alarms.ts -> chrome.',
      'extension/ui/i18n.ts -> browser.',
      'options/polyfill.ts -> webextension-polyfill',
      'popup/global.ts -> .chrome',
    ],
  );
});
