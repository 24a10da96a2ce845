/**
 * The relay as users get it: the packed npm tarball installed into an empty prefix with a
 * temporary HOME, `biff-relay install` there, the registered native host spoken to over stdio
 * as a browser would (it starts the relay and hands out the token in the relay's config), and
 * the single-file build serving a real IMAP session to Dovecot from an empty folder.
 *
 * Installing the tarball fetches `ws` (and the optional bufferutil) through npm, from its cache
 * when it has them (`--prefer-offline`), else from the registry.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import WebSocket from 'ws';
import { openRelaySocket, type WebSocketConstructor } from '../../extension/relay/relay-socket.ts';
import { encodeNativeMessage, NativeMessageDecoder } from '../../relay/native-framing.ts';
import type { PairReply } from '../../relay/protocol.ts';
import { RELAY_VERSION } from '../../relay/version.ts';
import { bundleRelay, packRelay, relayFileName } from '../../scripts/package.ts';
import { type RunningRelay, startRelay, tempDir } from '../relay/helpers.ts';
import { type DovecotServer, startDovecot } from '../servers/dovecot.ts';
import { freePorts } from '../servers/free-port.ts';
import { processesMentioning, signal, waitGone } from '../servers/process-tree.ts';

const WS = WebSocket as unknown as WebSocketConstructor;
const CHROME_ORIGIN = 'chrome-extension://dbonihppoidfekehkoeogfoehelllkbp/';

let work: string;
let prefix: string;
let home: string;
let env: NodeJS.ProcessEnv;
let port: number;
let dovecot: DovecotServer | null = null;
let single: RunningRelay | null = null;

/** `biff-relay` as installed in the prefix, run with the temporary HOME. */
function biffRelay(...args: string[]): string {
  return execFileSync(join(prefix, 'bin', 'biff-relay'), args, { env, encoding: 'utf8' });
}

/** Runs the host as the browser does (path from the manifest, the caller's origin as argument). */
async function speak(hostPath: string, requests: Buffer[]): Promise<unknown[]> {
  const child: ChildProcess = spawn(hostPath, [CHROME_ORIGIN], { env, stdio: ['pipe', 'pipe', 'inherit'] });
  const decoder = new NativeMessageDecoder();
  const replies: unknown[] = [];
  const done = new Promise<number | null>((resolve) => child.once('exit', resolve));
  child.stdout!.on('data', (chunk: Buffer) => {
    for (const event of decoder.push(chunk)) {
      assert.equal(event.kind, 'message');
      if (event.kind === 'message') replies.push(event.value);
      if (replies.length === requests.length) child.stdin!.end();
    }
  });
  for (const r of requests) child.stdin!.write(r);
  assert.equal(await done, 0, 'the host exits 0 when the browser closes its stdin');
  return replies;
}

before(async () => {
  work = tempDir('biff-relay-package-');
  prefix = join(work, 'prefix');
  home = join(work, 'home');
  mkdirSync(home);
  [port] = (await freePorts(1)) as [number];
  const npmCache = execFileSync('npm', ['config', 'get', 'cache'], { encoding: 'utf8' }).trim();
  const tarball = await packRelay(join(work, 'packages'), join(work, 'stage'));
  execFileSync(
    'npm',
    [
      'install',
      '-g',
      '--prefix',
      prefix,
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
      tarball,
    ],
    // An empty folder as cwd: nothing of the repository can be found from there.
    { cwd: home, encoding: 'utf8', env: { ...process.env, npm_config_cache: npmCache } },
  );
  // No XDG variables (defaults under HOME) and no user systemd (an empty runtime dir).
  env = { PATH: process.env.PATH, HOME: home, XDG_RUNTIME_DIR: join(work, 'run') };
});

after(async () => {
  const relays = processesMentioning(work);
  for (const pid of relays) signal(pid, 'SIGTERM');
  await waitGone(relays, 5_000);
  await single?.stop();
  await dovecot?.stop();
});

test('the installed package runs: --version prints the version of relay/package.json', () => {
  assert.equal(biffRelay('--version').trim(), RELAY_VERSION);
  assert.ok(statSync(join(prefix, 'lib', 'node_modules', 'biff-relay', 'node_modules', 'ws')).isDirectory());
});

test('install writes the host for three browsers and a systemd unit; twice is harmless; the host pairs and starts the relay', async () => {
  const first = biffRelay('install', '--port', String(port), '--allow-private');
  const expected = [
    join(home, '.local/share/biff/native-host.sh'),
    join(home, '.config/systemd/user/biff-relay.service'),
    join(home, '.config/google-chrome/NativeMessagingHosts/biff_relay.json'),
    join(home, '.config/chromium/NativeMessagingHosts/biff_relay.json'),
    join(home, '.mozilla/native-messaging-hosts/biff_relay.json'),
  ];
  for (const path of expected) {
    assert.ok(first.includes(`wrote ${path}`), `install says it wrote ${path}:\n${first}`);
    assert.ok(existsSync(path));
  }
  assert.match(first, /no systemd user session is running/);
  assert.match(first, /systemctl --user enable --now biff-relay\.service/);
  const configPath = join(home, '.config/biff/relay.json');
  const { token } = JSON.parse(readFileSync(configPath, 'utf8')) as { token: string };
  assert.ok(!first.includes(token), 'install never prints the token');
  const unit = readFileSync(expected[1]!, 'utf8');
  assert.ok(unit.includes(`"${join(prefix, 'lib/node_modules/biff-relay/bin/biff-relay.js')}"`), unit);

  const second = biffRelay('install', '--port', String(port), '--allow-private');
  for (const path of expected) assert.ok(second.includes(`unchanged ${path}`), second);

  const manifest = JSON.parse(readFileSync(expected[3]!, 'utf8')) as {
    path: string;
    allowed_origins: string[];
  };
  assert.deepEqual(manifest.allowed_origins, [CHROME_ORIGIN]);
  assert.equal(processesMentioning(configPath).length, 0, 'no relay runs before pairing');

  const pair = encodeNativeMessage({ type: 'pair' });
  const [started] = (await speak(manifest.path, [pair])) as PairReply[];
  assert.ok(started?.ok, JSON.stringify(started));
  assert.equal(started.url, `ws://127.0.0.1:${port}/v1`);
  assert.equal(started.token, token);
  assert.equal(started.version, RELAY_VERSION);
  assert.equal(started.started, true);
  assert.match(started.startCommand, /biff-relay\.js --port \d+ --allow-private --config /);
  // The relay outlived the host, and a second request finds it running.
  assert.equal(processesMentioning(configPath).length, 1, 'one detached relay runs');
  const notJson = Buffer.from([1, 0, 0, 0, 0x7b]); // length 1, "{"
  const replies = (await speak(manifest.path, [
    notJson,
    encodeNativeMessage({ type: 'unpair' }),
    pair,
  ])) as PairReply[];
  assert.deepEqual(
    replies.map((r) => (r.ok ? `ok started=${r.started}` : r.code)),
    ['bad_json', 'bad_request', 'ok started=false'],
  );
  assert.equal(processesMentioning(configPath).length, 1, 'still one relay');
});

test('uninstall removes exactly what install wrote and keeps the token', () => {
  const before = biffRelay('uninstall');
  for (const what of ['native-host.sh', 'biff-relay.service', 'google-chrome', 'chromium', '.mozilla']) {
    assert.match(before, new RegExp(`removed \\S*${what.replace('.', '\\.')}`));
  }
  assert.deepEqual(readdirSync(join(home, '.config/chromium/NativeMessagingHosts')), []);
  assert.deepEqual(readdirSync(join(home, '.local/share/biff')), []);
  assert.ok(existsSync(join(home, '.config/biff/relay.json')));
  assert.match(biffRelay('uninstall'), /nothing to remove/);
});

test('the single-file relay serves a real IMAP session to Dovecot from an empty folder', async () => {
  const dir = join(work, 'empty');
  mkdirSync(dir);
  const file = join(dir, relayFileName('mjs'));
  await bundleRelay(join(work, 'single.mjs'), true);
  copyFileSync(join(work, 'single.mjs'), file);
  assert.deepEqual(readdirSync(dir), [relayFileName('mjs')]);

  dovecot = await startDovecot({ users: [{ user: 'ann', pass: 'secret-pass' }] });
  single = await startRelay({
    bin: file,
    cwd: dir,
    args: ['--allow-port', String(dovecot.ports.imap)],
    env: { NODE_PATH: '' },
  });
  const socket = await openRelaySocket(
    { url: single.url, token: single.token },
    { host: '127.0.0.1', port: dovecot.ports.imap, tls: 'none' },
    { WebSocket: WS },
  );
  let text = '';
  let wake: (() => void) | null = null;
  socket.onData((chunk) => {
    text += Buffer.from(chunk).toString('latin1');
    wake?.();
  });
  const until = async (pattern: RegExp) => {
    while (!pattern.test(text)) await new Promise<void>((resolve) => (wake = resolve));
  };
  await until(/^\* OK .*\r\n/);
  await socket.write(Buffer.from('a LOGIN ann secret-pass\r\n'));
  await until(/\r\na OK /);
  await socket.write(Buffer.from('b SELECT INBOX\r\n'));
  await until(/\r\nb OK \[READ-WRITE\]/);
  await socket.write(Buffer.from('c LOGOUT\r\n'));
  await until(/\r\nc OK /);
  socket.close();
});
