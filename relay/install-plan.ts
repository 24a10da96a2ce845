/**
 * What `biff-relay install` writes, per operating system, for the current user only (no root):
 * a service that starts the relay at login, a wrapper that runs this program as a native
 * messaging host, and the host's manifest for Chrome, Chromium and Firefox. Pure: paths and
 * file contents from an InstallContext, so every OS's files are unit-tested on any OS
 * (install-plan.test.ts); install.ts carries the plan out.
 *
 * Host manifest locations (per user):
 * https://developer.chrome.com/docs/extensions/develop/concepts/native-messaging#native-messaging-host-location
 * https://developer.mozilla.org/en-US/docs/Mozilla/Add-ons/WebExtensions/Native_manifests#manifest_location
 */
import { posix, win32 } from 'node:path';
import { NATIVE_HOST_NAME } from './protocol.ts';

/** Biff's Chrome extension ID, fixed by the `key` in manifest.json. */
export const BIFF_CHROME_EXTENSION_ID = 'dbonihppoidfekehkoeogfoehelllkbp';
/** Biff's Firefox add-on ID, `browser_specific_settings.gecko.id` in manifest.json. */
export const BIFF_FIREFOX_ADDON_ID = 'biff@biff-notifier.org';
/** systemd unit name (Linux). */
export const SYSTEMD_UNIT = 'biff-relay.service';
/** launchd label (macOS). */
export const LAUNCHD_LABEL = 'org.biff-notifier.relay';

export type InstallPlatform = 'linux' | 'darwin' | 'win32';

/** Everything the plan depends on. */
export interface InstallContext {
  platform: InstallPlatform;
  /** The user's home directory. */
  home: string;
  /** XDG_CONFIG_HOME, XDG_DATA_HOME, LOCALAPPDATA, APPDATA (others are ignored). */
  env: Readonly<Record<string, string | undefined>>;
  /** Absolute path of node. */
  node: string;
  /** Absolute path of the relay's entry script (the package's bin, or the single file). */
  entry: string;
  /** Relay options every start gets (always including `--config`). */
  relayArgs: readonly string[];
}

/** One file the plan writes. */
export interface PlannedFile {
  path: string;
  content: string;
  /** 0o755 for scripts the browser runs, else 0o644. */
  mode: number;
  /** What it is, for the report (`Chrome native messaging host`). */
  what: string;
}

/** A Windows registry key whose default value names a host manifest. */
export interface RegistryEntry {
  key: string;
  value: string;
  what: string;
}

export interface InstallPlan {
  files: PlannedFile[];
  registry: RegistryEntry[];
  /** The login service file (also in `files`). */
  service: PlannedFile;
  /** The wrapper the browsers run (also in `files`). */
  hostWrapper: PlannedFile;
}

/** Where the relay keeps its files and where each browser looks for the host manifest. */
export function installPaths(ctx: Pick<InstallContext, 'platform' | 'home' | 'env'>) {
  const { platform, home, env } = ctx;
  if (platform === 'win32') {
    const local = env.LOCALAPPDATA || win32.join(home, 'AppData', 'Local');
    const roaming = env.APPDATA || win32.join(home, 'AppData', 'Roaming');
    const dir = win32.join(local, 'Biff');
    return {
      hostWrapper: win32.join(dir, 'native-host.bat'),
      chromeManifest: win32.join(dir, `${NATIVE_HOST_NAME}.chrome.json`),
      chromiumManifest: win32.join(dir, `${NATIVE_HOST_NAME}.chrome.json`),
      firefoxManifest: win32.join(dir, `${NATIVE_HOST_NAME}.firefox.json`),
      service: win32.join(
        roaming,
        'Microsoft',
        'Windows',
        'Start Menu',
        'Programs',
        'Startup',
        'biff-relay.vbs',
      ),
    };
  }
  if (platform === 'darwin') {
    const support = posix.join(home, 'Library', 'Application Support');
    const hosts = (browserDir: string) =>
      posix.join(support, browserDir, 'NativeMessagingHosts', `${NATIVE_HOST_NAME}.json`);
    return {
      hostWrapper: posix.join(support, 'Biff', 'native-host.sh'),
      chromeManifest: hosts('Google/Chrome'),
      chromiumManifest: hosts('Chromium'),
      firefoxManifest: hosts('Mozilla'),
      service: posix.join(home, 'Library', 'LaunchAgents', `${LAUNCHD_LABEL}.plist`),
    };
  }
  // XDG says to ignore relative values. Chrome and Chromium keep their profile (and so their
  // NativeMessagingHosts folder) under XDG_CONFIG_HOME; Firefox uses ~/.mozilla.
  const absolute = (value: string | undefined) => (value && posix.isAbsolute(value) ? value : null);
  const config = absolute(env.XDG_CONFIG_HOME) ?? posix.join(home, '.config');
  const data = absolute(env.XDG_DATA_HOME) ?? posix.join(home, '.local', 'share');
  return {
    hostWrapper: posix.join(data, 'biff', 'native-host.sh'),
    chromeManifest: posix.join(config, 'google-chrome', 'NativeMessagingHosts', `${NATIVE_HOST_NAME}.json`),
    chromiumManifest: posix.join(config, 'chromium', 'NativeMessagingHosts', `${NATIVE_HOST_NAME}.json`),
    firefoxManifest: posix.join(home, '.mozilla', 'native-messaging-hosts', `${NATIVE_HOST_NAME}.json`),
    service: posix.join(config, 'systemd', 'user', SYSTEMD_UNIT),
  };
}

/** Windows registry keys (HKCU) naming the host manifest, one per browser. */
export const WINDOWS_REGISTRY_KEYS = {
  googleChrome: `HKCU\\Software\\Google\\Chrome\\NativeMessagingHosts\\${NATIVE_HOST_NAME}`,
  chromium: `HKCU\\Software\\Chromium\\NativeMessagingHosts\\${NATIVE_HOST_NAME}`,
  firefox: `HKCU\\Software\\Mozilla\\NativeMessagingHosts\\${NATIVE_HOST_NAME}`,
} as const;

const DESCRIPTION = 'Biff relay: pairs the Biff extension with the relay on this computer';

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** POSIX shell single quotes: nothing inside is special but the quote itself. */
export function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`;
}

/** systemd's ExecStart quoting: double quotes with C escapes, `%` and `$` doubled (systemd.service(5)). */
export function systemdQuote(arg: string): string {
  const escaped = arg
    .replaceAll('\\', '\\\\')
    .replaceAll('"', '\\"')
    .replaceAll('%', '%%')
    .replaceAll('$', '$$$$');
  return `"${escaped}"`;
}

function xmlEscape(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');
}

/**
 * Windows arguments in double quotes. A `"` cannot be passed through cmd.exe safely and `%`
 * expands there, so both are refused (paths and relay options never need them).
 */
function windowsQuote(arg: string): string {
  if (/["%\r\n]/.test(arg)) throw new RangeError(`cannot pass ${JSON.stringify(arg)} on Windows`);
  return `"${arg}"`;
}

/** The install plan for one OS. */
export function installPlan(ctx: InstallContext): InstallPlan {
  const paths = installPaths(ctx);
  const run = [ctx.node, ctx.entry, ...ctx.relayArgs];
  const host = [ctx.node, ctx.entry, 'native-host', ...ctx.relayArgs, '--'];
  const chromeManifest = {
    name: NATIVE_HOST_NAME,
    description: DESCRIPTION,
    path: paths.hostWrapper,
    type: 'stdio',
    allowed_origins: [`chrome-extension://${BIFF_CHROME_EXTENSION_ID}/`],
  };
  const firefoxManifest = {
    name: NATIVE_HOST_NAME,
    description: DESCRIPTION,
    path: paths.hostWrapper,
    type: 'stdio',
    allowed_extensions: [BIFF_FIREFOX_ADDON_ID],
  };

  let hostWrapper: PlannedFile;
  let service: PlannedFile;
  const registry: RegistryEntry[] = [];
  if (ctx.platform === 'win32') {
    hostWrapper = {
      path: paths.hostWrapper,
      // Chrome runs a .bat through cmd.exe; %* passes the browser's own arguments.
      content: `@echo off\r\n${host.map(windowsQuote).join(' ')} %*\r\n`,
      mode: 0o755,
      what: 'native messaging host (run by the browsers)',
    };
    // wscript runs it with no console window (style 0) and does not wait (False).
    const command = run.map(windowsQuote).join(' ').replaceAll('"', '""');
    service = {
      path: paths.service,
      content: `' Biff relay, started at login. Written by biff-relay install; biff-relay uninstall removes it.\r\nCreateObject("WScript.Shell").Run "${command}", 0, False\r\n`,
      mode: 0o644,
      what: 'Startup entry (starts the relay at login)',
    };
    registry.push(
      {
        key: WINDOWS_REGISTRY_KEYS.googleChrome,
        value: paths.chromeManifest,
        what: 'Chrome native messaging host',
      },
      {
        key: WINDOWS_REGISTRY_KEYS.chromium,
        value: paths.chromiumManifest,
        what: 'Chromium native messaging host',
      },
      {
        key: WINDOWS_REGISTRY_KEYS.firefox,
        value: paths.firefoxManifest,
        what: 'Firefox native messaging host',
      },
    );
  } else {
    hostWrapper = {
      path: paths.hostWrapper,
      content: `#!/bin/sh\n# Biff's native messaging host, run by the browser. Written by biff-relay install.\nexec ${host.map(shellQuote).join(' ')} "$@"\n`,
      mode: 0o755,
      what: 'native messaging host (run by the browsers)',
    };
    service =
      ctx.platform === 'darwin'
        ? {
            path: paths.service,
            content: launchAgent(run),
            mode: 0o644,
            what: 'LaunchAgent (starts the relay at login)',
          }
        : {
            path: paths.service,
            content: systemdUnit(run),
            mode: 0o644,
            what: 'systemd user unit (starts the relay at login)',
          };
  }

  const files: PlannedFile[] = [hostWrapper, service];
  const manifests: PlannedFile[] = [
    {
      path: paths.chromeManifest,
      content: json(chromeManifest),
      mode: 0o644,
      what: 'Chrome native messaging host',
    },
    {
      path: paths.chromiumManifest,
      content: json(chromeManifest),
      mode: 0o644,
      what: 'Chromium native messaging host',
    },
    {
      path: paths.firefoxManifest,
      content: json(firefoxManifest),
      mode: 0o644,
      what: 'Firefox native messaging host',
    },
  ];
  // On Windows Chrome and Chromium share one manifest file (the registry names it twice).
  for (const m of manifests) {
    const same = files.find((f) => f.path === m.path);
    if (same) same.what = `${same.what.replace(' native messaging host', '')} and ${m.what}`;
    else files.push(m);
  }
  return { files, registry, service, hostWrapper };
}

function systemdUnit(run: readonly string[]): string {
  return `# Written by biff-relay install; biff-relay uninstall removes it.
[Unit]
Description=Biff relay (lets the Biff browser extension reach POP3/IMAP servers)
After=network-online.target
Wants=network-online.target

[Service]
Type=simple
ExecStart=${run.map(systemdQuote).join(' ')} --quiet
Restart=on-failure
RestartSec=5
NoNewPrivileges=yes

[Install]
WantedBy=default.target
`;
}

function launchAgent(run: readonly string[]): string {
  const args = [...run, '--quiet'].map((a) => `    <string>${xmlEscape(a)}</string>`).join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<!-- Written by biff-relay install; biff-relay uninstall removes it. -->
<plist version="1.0">
<dict>
  <key>Label</key>
  <string>${LAUNCHD_LABEL}</string>
  <key>ProgramArguments</key>
  <array>
${args}
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
`;
}
