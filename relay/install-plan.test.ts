import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import {
  BIFF_CHROME_EXTENSION_ID,
  BIFF_FIREFOX_ADDON_ID,
  type InstallContext,
  installPlan,
  shellQuote,
  systemdQuote,
} from './install-plan.ts';

const ARGS = ['--port', '6512', '--config', '/home/ann/.config/biff/relay.json'];

function linux(env: Record<string, string> = {}): InstallContext {
  return {
    platform: 'linux',
    home: '/home/ann',
    env,
    node: '/usr/bin/node',
    entry: '/home/ann/.npm-global/lib/node_modules/biff-relay/bin/biff-relay.js',
    relayArgs: ARGS,
  };
}

function file(ctx: InstallContext, path: string) {
  const found = installPlan(ctx).files.find((f) => f.path === path);
  assert.ok(found, `${path} is planned`);
  return found;
}

test('the IDs allowed to call the host are the ones the manifest gives Biff', () => {
  const manifest = JSON.parse(readFileSync(new URL('../manifest.json', import.meta.url), 'utf8'));
  assert.equal(manifest.browser_specific_settings.gecko.id, BIFF_FIREFOX_ADDON_ID);
  // Chrome's ID: the first 128 bits of SHA-256 of the public key, in hex spelled with a–p.
  const hex = createHash('sha256').update(Buffer.from(manifest.key, 'base64')).digest('hex').slice(0, 32);
  const id = [...hex].map((c) => String.fromCharCode(97 + Number.parseInt(c, 16))).join('');
  assert.equal(id, BIFF_CHROME_EXTENSION_ID);
});

test('Linux: host manifests where Chrome, Chromium and Firefox look, a wrapper and a systemd unit', () => {
  const plan = installPlan(linux());
  assert.deepEqual(
    plan.files.map((f) => [f.path, f.mode]),
    [
      ['/home/ann/.local/share/biff/native-host.sh', 0o755],
      ['/home/ann/.config/systemd/user/biff-relay.service', 0o644],
      ['/home/ann/.config/google-chrome/NativeMessagingHosts/biff_relay.json', 0o644],
      ['/home/ann/.config/chromium/NativeMessagingHosts/biff_relay.json', 0o644],
      ['/home/ann/.mozilla/native-messaging-hosts/biff_relay.json', 0o644],
    ],
  );
  assert.deepEqual(plan.registry, []);
  const chrome = JSON.parse(
    file(linux(), '/home/ann/.config/chromium/NativeMessagingHosts/biff_relay.json').content,
  );
  assert.deepEqual(chrome, {
    name: 'biff_relay',
    description: 'Biff relay: pairs the Biff extension with the relay on this computer',
    path: '/home/ann/.local/share/biff/native-host.sh',
    type: 'stdio',
    allowed_origins: ['chrome-extension://dbonihppoidfekehkoeogfoehelllkbp/'],
  });
  const firefox = JSON.parse(
    file(linux(), '/home/ann/.mozilla/native-messaging-hosts/biff_relay.json').content,
  );
  assert.deepEqual(firefox.allowed_extensions, ['biff@biff-notifier.org']);
  assert.equal(firefox.allowed_origins, undefined);
  assert.equal(firefox.path, '/home/ann/.local/share/biff/native-host.sh');

  assert.equal(
    plan.hostWrapper.content,
    '#!/bin/sh\n' +
      "# Biff's native messaging host, run by the browser. Written by biff-relay install.\n" +
      'exec /usr/bin/node /home/ann/.npm-global/lib/node_modules/biff-relay/bin/biff-relay.js native-host ' +
      '--port 6512 --config /home/ann/.config/biff/relay.json -- "$@"\n',
  );
  const execStart = plan.service.content.split('\n').find((l) => l.startsWith('ExecStart='));
  assert.equal(
    execStart,
    'ExecStart="/usr/bin/node" "/home/ann/.npm-global/lib/node_modules/biff-relay/bin/biff-relay.js" ' +
      '"--port" "6512" "--config" "/home/ann/.config/biff/relay.json" --quiet',
  );
  assert.match(plan.service.content, /\n\[Install\]\nWantedBy=default\.target\n/);
});

test('Linux: XDG_CONFIG_HOME and XDG_DATA_HOME move the Chrome folders, the unit and the wrapper; relative ones are ignored', () => {
  const paths = installPlan(linux({ XDG_CONFIG_HOME: '/x/conf', XDG_DATA_HOME: '/x/data' })).files.map(
    (f) => f.path,
  );
  assert.deepEqual(paths, [
    '/x/data/biff/native-host.sh',
    '/x/conf/systemd/user/biff-relay.service',
    '/x/conf/google-chrome/NativeMessagingHosts/biff_relay.json',
    '/x/conf/chromium/NativeMessagingHosts/biff_relay.json',
    '/home/ann/.mozilla/native-messaging-hosts/biff_relay.json',
  ]);
  const relative = installPlan(linux({ XDG_CONFIG_HOME: 'conf' })).files.map((f) => f.path);
  assert.equal(relative[1], '/home/ann/.config/systemd/user/biff-relay.service');
});

test('macOS: Application Support host folders and a LaunchAgent plist', () => {
  const ctx: InstallContext = {
    ...linux(),
    platform: 'darwin',
    home: '/Users/ann',
    node: '/opt/homebrew/bin/node',
    entry: '/opt/homebrew/lib/node_modules/biff-relay/bin/biff-relay.js',
    relayArgs: ['--config', '/Users/ann/.config/biff/relay.json'],
  };
  const plan = installPlan(ctx);
  assert.deepEqual(
    plan.files.map((f) => f.path),
    [
      '/Users/ann/Library/Application Support/Biff/native-host.sh',
      '/Users/ann/Library/LaunchAgents/org.biff-notifier.relay.plist',
      '/Users/ann/Library/Application Support/Google/Chrome/NativeMessagingHosts/biff_relay.json',
      '/Users/ann/Library/Application Support/Chromium/NativeMessagingHosts/biff_relay.json',
      '/Users/ann/Library/Application Support/Mozilla/NativeMessagingHosts/biff_relay.json',
    ],
  );
  // The space in "Application Support" is quoted in the wrapper.
  assert.match(
    plan.hostWrapper.content,
    /\nexec \/opt\/homebrew\/bin\/node \/opt\/homebrew\/lib\/node_modules\/biff-relay\/bin\/biff-relay\.js native-host --config \/Users\/ann\/\.config\/biff\/relay\.json -- "\$@"\n$/,
  );
  assert.equal(
    plan.service.content,
    `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<!-- Written by biff-relay install; biff-relay uninstall removes it. -->
<plist version="1.0">
<dict>
  <key>Label</key>
  <string>org.biff-notifier.relay</string>
  <key>ProgramArguments</key>
  <array>
    <string>/opt/homebrew/bin/node</string>
    <string>/opt/homebrew/lib/node_modules/biff-relay/bin/biff-relay.js</string>
    <string>--config</string>
    <string>/Users/ann/.config/biff/relay.json</string>
    <string>--quiet</string>
  </array>
  <key>RunAtLoad</key>
  <true/>
  <key>KeepAlive</key>
  <dict>
    <key>SuccessfulExit</key>
    <false/>
  </dict>
  <key>ProcessType</key>
  <string>Background</string>
</dict>
</plist>
`,
  );
  const chrome = JSON.parse(plan.files[2]!.content);
  assert.equal(chrome.path, '/Users/ann/Library/Application Support/Biff/native-host.sh');
});

test('Windows: a .bat host, manifests in LOCALAPPDATA named by HKCU registry keys, a hidden Startup script', () => {
  const ctx: InstallContext = {
    platform: 'win32',
    home: 'C:\\Users\\Ann',
    env: { LOCALAPPDATA: 'C:\\Users\\Ann\\AppData\\Local', APPDATA: 'C:\\Users\\Ann\\AppData\\Roaming' },
    node: 'C:\\Program Files\\nodejs\\node.exe',
    entry: 'C:\\Users\\Ann\\AppData\\Roaming\\npm\\node_modules\\biff-relay\\bin\\biff-relay.js',
    relayArgs: ['--config', 'C:\\Users\\Ann\\.config\\biff\\relay.json'],
  };
  const plan = installPlan(ctx);
  assert.deepEqual(
    plan.files.map((f) => [f.path, f.what]),
    [
      [
        'C:\\Users\\Ann\\AppData\\Local\\Biff\\native-host.bat',
        'native messaging host (run by the browsers)',
      ],
      [
        'C:\\Users\\Ann\\AppData\\Roaming\\Microsoft\\Windows\\Start Menu\\Programs\\Startup\\biff-relay.vbs',
        'Startup entry (starts the relay at login)',
      ],
      [
        'C:\\Users\\Ann\\AppData\\Local\\Biff\\biff_relay.chrome.json',
        'Chrome and Chromium native messaging host',
      ],
      ['C:\\Users\\Ann\\AppData\\Local\\Biff\\biff_relay.firefox.json', 'Firefox native messaging host'],
    ],
  );
  assert.deepEqual(
    plan.registry.map((r) => [r.key, r.value]),
    [
      [
        'HKCU\\Software\\Google\\Chrome\\NativeMessagingHosts\\biff_relay',
        'C:\\Users\\Ann\\AppData\\Local\\Biff\\biff_relay.chrome.json',
      ],
      [
        'HKCU\\Software\\Chromium\\NativeMessagingHosts\\biff_relay',
        'C:\\Users\\Ann\\AppData\\Local\\Biff\\biff_relay.chrome.json',
      ],
      [
        'HKCU\\Software\\Mozilla\\NativeMessagingHosts\\biff_relay',
        'C:\\Users\\Ann\\AppData\\Local\\Biff\\biff_relay.firefox.json',
      ],
    ],
  );
  assert.equal(
    plan.hostWrapper.content,
    '@echo off\r\n"C:\\Program Files\\nodejs\\node.exe" ' +
      '"C:\\Users\\Ann\\AppData\\Roaming\\npm\\node_modules\\biff-relay\\bin\\biff-relay.js" "native-host" ' +
      '"--config" "C:\\Users\\Ann\\.config\\biff\\relay.json" "--" %*\r\n',
  );
  assert.equal(
    plan.service.content.split('\r\n')[1],
    'CreateObject("WScript.Shell").Run """C:\\Program Files\\nodejs\\node.exe"" ' +
      '""C:\\Users\\Ann\\AppData\\Roaming\\npm\\node_modules\\biff-relay\\bin\\biff-relay.js"" ' +
      '""--config"" ""C:\\Users\\Ann\\.config\\biff\\relay.json""", 0, False',
  );
  const chrome = JSON.parse(plan.files[2]!.content);
  assert.equal(chrome.path, 'C:\\Users\\Ann\\AppData\\Local\\Biff\\native-host.bat');
  assert.deepEqual(chrome.allowed_origins, ['chrome-extension://dbonihppoidfekehkoeogfoehelllkbp/']);
  assert.throws(() => installPlan({ ...ctx, relayArgs: ['--config', 'C:\\100%\\r.json'] }), RangeError);
});

test('quoting: shell and systemd', () => {
  assert.equal(shellQuote('/usr/bin/node'), '/usr/bin/node');
  assert.equal(shellQuote("/home/o'neil/a b"), `'/home/o'\\''neil/a b'`);
  assert.equal(systemdQuote('/home/a b/100%/$x"\\'), '"/home/a b/100%%/$$x\\"\\\\"');
});
