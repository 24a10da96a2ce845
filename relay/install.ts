/**
 * `biff-relay install` / `uninstall`: carries out install-plan.ts for the current user and says
 * what it did. Installing twice rewrites nothing that is already right; uninstall removes the
 * files (and registry keys) the plan names, and nothing else: the pairing token stays.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import type { RelayOptions } from './args.ts';
import { UsageError } from './args.ts';
import { defaultConfigPath, loadOrCreateToken } from './config.ts';
import {
  type InstallContext,
  type InstallPlatform,
  installPlan,
  LAUNCHD_LABEL,
  SYSTEMD_UNIT,
  shellQuote,
} from './install-plan.ts';
import { probeRelay } from './probe.ts';

type Print = (line: string) => void;

/** The install context of this process: its node, its entry script, HOME and XDG variables. */
export function currentContext(relayArgs: readonly string[]): InstallContext {
  const platform = process.platform;
  if (platform !== 'linux' && platform !== 'darwin' && platform !== 'win32') {
    throw new UsageError(`install: ${platform} is not supported (Linux, macOS and Windows are)`);
  }
  const entry = process.argv[1];
  if (!entry) throw new UsageError('install: cannot tell where biff-relay is installed');
  return {
    platform: platform as InstallPlatform,
    home: process.env.HOME || homedir(),
    env: process.env,
    node: process.execPath,
    // The real file, not npm's bin symlink, so the service survives a change of PATH.
    entry: realpathSync(entry),
    relayArgs,
  };
}

/** Relay options for every later start: the ones given, plus the token file as an absolute path. */
export function persistentArgs(options: RelayOptions, relayArgs: readonly string[]): string[] {
  if (options.configPath !== null) {
    if (!isAbsolute(options.configPath)) throw new UsageError('install: --config must be an absolute path');
    return [...relayArgs];
  }
  return [...relayArgs, '--config', defaultConfigPath()];
}

/** Whether a systemd user manager runs for this user (its private socket exists). */
export function userSystemdRunning(): boolean {
  const runtime = process.env.XDG_RUNTIME_DIR;
  return !!runtime && isAbsolute(runtime) && existsSync(join(runtime, 'systemd', 'private'));
}

function run(print: Print, command: string, args: string[]): boolean {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  const shown = [command, ...args].map(shellQuote).join(' ');
  if (result.status === 0) {
    print(`ran ${shown}`);
    return true;
  }
  const why = result.error?.message ?? (result.stderr.trim() || `exit ${result.status}`);
  print(`failed: ${shown}: ${why}`);
  return false;
}

/** A command that starts this installation of the relay, for the extension's "not running" advice. */
export function startCommand(ctx: InstallContext): string {
  if (ctx.platform === 'linux' && userSystemdRunning() && existsSync(installPlan(ctx).service.path)) {
    return `systemctl --user start ${SYSTEMD_UNIT.replace(/\.service$/, '')}`;
  }
  if (ctx.platform === 'darwin' && existsSync(installPlan(ctx).service.path)) {
    return `launchctl kickstart gui/$(id -u)/${LAUNCHD_LABEL}`;
  }
  const quote = ctx.platform === 'win32' ? (a: string) => `"${a}"` : shellQuote;
  return [ctx.node, ctx.entry, ...ctx.relayArgs].map(quote).join(' ');
}

/** `biff-relay install`. Returns the exit status. */
export async function install(
  options: RelayOptions,
  relayArgs: readonly string[],
  print: Print,
): Promise<number> {
  const ctx = currentContext(persistentArgs(options, relayArgs));
  const plan = installPlan(ctx);
  let failed = false;
  for (const file of plan.files) {
    const current = await readFile(file.path, 'utf8').catch(() => null);
    if (current === file.content) {
      print(`unchanged ${file.path} (${file.what})`);
    } else {
      await mkdir(dirname(file.path), { recursive: true });
      await writeFile(file.path, file.content);
      print(`wrote ${file.path} (${file.what})`);
    }
    if (ctx.platform !== 'win32') await chmod(file.path, file.mode);
  }
  for (const entry of plan.registry) {
    if (!run(print, 'reg', ['add', entry.key, '/ve', '/t', 'REG_SZ', '/d', entry.value, '/f'])) failed = true;
  }

  // The token exists before the first start, so a service never prints it to a log.
  const configPath = options.configPath ?? defaultConfigPath();
  const { created } = await loadOrCreateToken(configPath);
  print(`${created ? 'created' : 'kept'} the pairing token in ${configPath}`);

  if (ctx.platform === 'linux') {
    if (userSystemdRunning()) {
      // A relay already running (started by pairing) holds the port: enable only, or systemd's
      // copy would fail and restart every few seconds until that one ends.
      const running = (await probeRelay(options.host, options.port)) === 'biff';
      const enable = running
        ? ['--user', 'enable', SYSTEMD_UNIT]
        : ['--user', 'enable', '--now', SYSTEMD_UNIT];
      if (!run(print, 'systemctl', ['--user', 'daemon-reload'])) failed = true;
      else if (!run(print, 'systemctl', enable)) failed = true;
      else if (running) print('the relay is already running; systemd starts it from your next login');
    } else {
      print('no systemd user session is running, so nothing starts the relay at login yet; once one runs:');
      print(`  systemctl --user enable --now ${SYSTEMD_UNIT}`);
      print('until then "Pair automatically" in Biff starts the relay when it is not running.');
    }
  } else if (ctx.platform === 'darwin') {
    const domain = `gui/${process.getuid?.() ?? 0}`;
    // bootout first so a second install loads the new plist; it fails harmlessly if none is loaded.
    spawnSync('launchctl', ['bootout', `${domain}/${LAUNCHD_LABEL}`]);
    if (!run(print, 'launchctl', ['bootstrap', domain, plan.service.path])) failed = true;
  } else {
    print('the relay starts at your next login; "Pair automatically" in Biff starts it now.');
  }
  print('Next: open Biff\'s settings and press "Pair automatically".');
  return failed ? 1 : 0;
}

/** `biff-relay uninstall`. Returns the exit status. */
export async function uninstall(print: Print): Promise<number> {
  const ctx = currentContext([]);
  const plan = installPlan(ctx);
  let failed = false;
  if (ctx.platform === 'linux' && userSystemdRunning() && existsSync(plan.service.path)) {
    if (!run(print, 'systemctl', ['--user', 'disable', '--now', SYSTEMD_UNIT])) failed = true;
  } else if (ctx.platform === 'darwin' && existsSync(plan.service.path)) {
    run(print, 'launchctl', ['bootout', `gui/${process.getuid?.() ?? 0}/${LAUNCHD_LABEL}`]);
  }
  for (const entry of plan.registry) {
    const present = spawnSync('reg', ['query', entry.key]).status === 0;
    if (present && !run(print, 'reg', ['delete', entry.key, '/f'])) failed = true;
  }
  let removed = 0;
  for (const file of plan.files) {
    if (!existsSync(file.path)) continue;
    await rm(file.path, { force: true });
    print(`removed ${file.path} (${file.what})`);
    removed++;
  }
  if (ctx.platform === 'linux' && userSystemdRunning()) run(print, 'systemctl', ['--user', 'daemon-reload']);
  if (removed === 0) print('nothing to remove: biff-relay was not installed for this user');
  print(`kept the pairing token in ${defaultConfigPath()} (delete it to forget the pairing)`);
  return failed ? 1 : 0;
}
