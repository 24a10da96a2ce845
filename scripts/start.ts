/**
 * `npm start`: builds the extension, makes sure a pairing token exists, prints what to do in
 * the browser, and runs the relay in the foreground (Ctrl-C stops it). Extra arguments go to
 * the relay, e.g. `npm start -- --port 7000`.
 */
import { spawn, spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { defaultConfigPath, loadOrCreateToken } from '../relay/config.ts';
import { DEFAULT_RELAY_PORT, RELAY_PATH } from '../relay/protocol.ts';

const root = resolve(import.meta.dirname, '..');
const relayArgs = process.argv.slice(2);

const build = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/build.ts'], {
  cwd: root,
  stdio: 'inherit',
});
if (build.status !== 0) process.exit(build.status ?? 1);

const configAt = relayArgs.indexOf('--config');
const configPath = configAt >= 0 ? relayArgs[configAt + 1]! : defaultConfigPath();
const portAt = relayArgs.indexOf('--port');
const port = portAt >= 0 ? relayArgs[portAt + 1]! : String(DEFAULT_RELAY_PORT);
const { token } = await loadOrCreateToken(configPath);

console.log(`
Biff is built.

  1. Load the extension: open chrome://extensions, turn on Developer mode, choose
     "Load unpacked" and pick ${resolve(root, 'dist/chrome')}
     (Firefox: about:debugging → This Firefox → Load Temporary Add-on → dist/firefox/manifest.json)
  2. In Biff's settings (the options page opens by itself the first time), pair with the relay:
       Relay URL      ws://127.0.0.1:${port}${RELAY_PATH}
       Pairing token  ${token}
     (the token is kept in ${configPath})
  3. Add an account with your email address and password.

Starting the relay; keep it running (Ctrl-C stops it). To start it at login, see README.md.
`);

const relay = spawn(process.execPath, [resolve(root, 'relay/bin/biff-relay.js'), ...relayArgs], {
  stdio: 'inherit',
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => relay.kill(signal));
relay.on('exit', (code) => process.exit(code ?? 0));
