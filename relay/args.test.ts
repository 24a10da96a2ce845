import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseArgs, parseDuration, parseSize, type RelayOptions, UsageError } from './args.ts';

function run(...argv: string[]): RelayOptions {
  const command = parseArgs(argv);
  assert.equal(command.kind, 'run');
  return (command as { options: RelayOptions }).options;
}

test('defaults', () => {
  assert.deepEqual(run(), {
    host: '127.0.0.1',
    port: 6512,
    token: null,
    configPath: null,
    allowedPorts: [110, 143, 993, 995],
    allowPrivate: false,
    extensionIds: [],
    maxSessions: 32,
    maxMessage: 1024 * 1024,
    connectTimeoutMs: 15_000,
    idleTimeoutMs: 31 * 60_000,
    helloTimeoutMs: 5_000,
    quiet: false,
    verbose: false,
  });
});

test('every flag, in both --flag value and --flag=value forms', () => {
  const options = run(
    '--host=::1',
    '--port',
    '0',
    '--token',
    'abc_DEF-123',
    '--config',
    '/tmp/r.json',
    '--allow-port',
    '1143',
    '--allow-port=1995',
    '--allow-port',
    '993',
    '--allow-private',
    '--extension-id',
    'abcdefghijklmnopabcdefghijklmnop',
    '--extension-id=ponmlkjihgfedcbaponmlkjihgfedcba',
    '--max-sessions',
    '4',
    '--max-message',
    '64KiB',
    '--connect-timeout',
    '500ms',
    '--idle-timeout=2m',
    '--hello-timeout',
    '1.5',
    '--quiet',
    '--verbose',
  );
  assert.deepEqual(options, {
    host: '::1',
    port: 0,
    token: 'abc_DEF-123',
    configPath: '/tmp/r.json',
    allowedPorts: [110, 143, 993, 995, 1143, 1995],
    allowPrivate: true,
    extensionIds: ['abcdefghijklmnopabcdefghijklmnop', 'ponmlkjihgfedcbaponmlkjihgfedcba'],
    maxSessions: 4,
    maxMessage: 65536,
    connectTimeoutMs: 500,
    idleTimeoutMs: 120_000,
    helloTimeoutMs: 1500,
    quiet: true,
    verbose: true,
  });
});

test('--help wins', () => {
  assert.deepEqual(parseArgs(['--port', '1', '--help']), { kind: 'help' });
});

test('bracketed IPv6 host', () => {
  assert.equal(run('--host', '[::1]').host, '::1');
});

test('invalid command lines are UsageErrors', () => {
  const bad: string[][] = [
    ['--nope'],
    ['positional'],
    ['--port'],
    ['--port', '65536'],
    ['--port', '-1'],
    ['--port', '12abc'],
    ['--allow-port', '0'],
    ['--token', 'has space'],
    ['--token', 'comma,separated'],
    ['--token', ''],
    ['--extension-id', 'Not-An-ID'],
    ['--max-sessions', '0'],
    ['--max-message', '10'],
    ['--max-message', '1GiB'],
    ['--max-message', '1 parsec'],
    ['--connect-timeout', '0'],
    ['--idle-timeout', 'soon'],
    ['--idle-timeout', '-5s'],
    ['--quiet=yes'],
    ['--allow-private=1'],
    ['--host', ''],
    ['--config', ''],
  ];
  for (const argv of bad) assert.throws(() => parseArgs(argv), UsageError, argv.join(' '));
});

test('durations', () => {
  assert.equal(parseDuration('x', '15'), 15_000);
  assert.equal(parseDuration('x', '0.25'), 250);
  assert.equal(parseDuration('x', '250ms'), 250);
  assert.equal(parseDuration('x', '15s'), 15_000);
  assert.equal(parseDuration('x', '31m'), 1_860_000);
  assert.equal(parseDuration('x', '1h'), 3_600_000);
  assert.throws(() => parseDuration('x', '30d'), UsageError, 'beyond setTimeout');
});

test('sizes', () => {
  assert.equal(parseSize('x', '65536'), 65536);
  assert.equal(parseSize('x', '4k'), 4096);
  assert.equal(parseSize('x', '4KiB'), 4096);
  assert.equal(parseSize('x', '1M'), 1048576);
  assert.equal(parseSize('x', '1MiB'), 1048576);
  assert.equal(parseSize('x', '2mb'), 2097152);
});

test('subcommands: --version, install with options kept as typed, uninstall, native-host', () => {
  assert.deepEqual(parseArgs(['--version']), { kind: 'version' });
  const install = parseArgs(['install', '--port', '7000', '--allow-private']);
  assert.equal(install.kind, 'install');
  if (install.kind === 'install') {
    assert.deepEqual(install.relayArgs, ['--port', '7000', '--allow-private']);
    assert.equal(install.options.port, 7000);
    assert.equal(install.options.allowPrivate, true);
  }
  assert.throws(() => parseArgs(['install', '--port', '0']), UsageError);
  assert.throws(() => parseArgs(['install', '--bogus']), UsageError);
  assert.deepEqual(parseArgs(['uninstall']), { kind: 'uninstall' });
  assert.throws(() => parseArgs(['uninstall', '--port', '1']), UsageError);
  // What the browsers append after `--` (Chrome: the origin; Firefox: manifest path and add-on ID) is ignored.
  const host = parseArgs([
    'native-host',
    '--port',
    '7000',
    '--',
    'chrome-extension://abc/',
    '--parent-window=0',
  ]);
  assert.equal(host.kind, 'native-host');
  if (host.kind === 'native-host') {
    assert.deepEqual(host.relayArgs, ['--port', '7000']);
    assert.equal(host.options.port, 7000);
  }
  assert.throws(() => parseArgs(['serve']), UsageError);
});
