// A real Dovecot for integration and end-to-end tests: its own config, certificate, users and
// Maildirs in a fresh temp folder, on free loopback ports, gone without trace after stop().
import { type ChildProcess, spawn } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  statfsSync,
  writeFileSync,
} from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { makeSelfSignedCertificate } from './certificate.ts';
import {
  type DovecotPorts,
  oauth2KeyPath,
  renderDovecotConfig,
  renderOAuth2Config,
} from './dovecot-config.ts';
import { freePorts } from './free-port.ts';
import { groupMembers, isGone, signal } from './process-tree.ts';

export type { DovecotPorts } from './dovecot-config.ts';

/** A mail account to create. */
export interface DovecotUser {
  user: string;
  pass: string;
}

/** What startDovecot() can change; every field is optional. */
export interface DovecotOptions {
  /** Accounts to create before the server starts (more can be added later with addUser). */
  users?: readonly DovecotUser[];
  /** Advertise CONDSTORE and QRESYNC. Default true. */
  qresync?: boolean;
  /** Advertise IDLE. Default true. */
  idle?: boolean;
  /** Offer COMPRESS=DEFLATE. Default true. */
  compress?: boolean;
  /** Advertise PREVIEW (RFC 8970). Default true. */
  preview?: boolean;
  /** Leave the temp folder after stop() for a post-mortem. Default: env BIFF_KEEP_DOVECOT=1. */
  keepDir?: boolean;
  /**
   * Also accept OAuth access tokens (XOAUTH2, OAUTHBEARER) from this issuer, checked locally as
   * RS256 JWTs with `publicKeyPem` (the key `kid` names). Users still need addUser() (the userdb).
   */
  oauth2?: { issuer: string; kid: string; publicKeyPem: string };
}

/** A running Dovecot instance. */
export interface DovecotServer {
  readonly host: '127.0.0.1';
  readonly ports: DovecotPorts;
  /** The server certificate (self-signed, CN=localhost, SAN localhost and 127.0.0.1). */
  readonly certPem: string;
  /** SHA-256 fingerprint of the certificate, as Node's X509Certificate.fingerprint256 writes it. */
  readonly fingerprint256: string;
  /** The instance's temp folder (config, log, homes). */
  readonly dir: string;
  /** PID of the Dovecot master process. */
  readonly pid: number;
  /**
   * Creates an account, or changes its password; works before and after start. A new account can
   * log in at once; a changed password resolves up to 1 s later, when Dovecot will have seen it.
   */
  addUser(name: string, password: string): Promise<void>;
  /** The user's Maildir root (INBOX; other folders are `.Name` inside it). */
  maildir(user: string): string;
  /** Dovecot's log so far (also after stop()). */
  logs(): string;
  /** SIGTERM to the master and its children; resolves once all are gone and the folder removed. */
  stop(): Promise<void>;
  /**
   * Stops every process (sessions drop) and starts the server again on the same ports, config
   * and mail; resolves once it serves again.
   */
  restart(): Promise<void>;
}

/** uid/gid that mail runs as: Dovecot 2.3 refuses uid 0 for mail users, so `nobody:nogroup`. */
export const MAIL_UID = 65534;
export const MAIL_GID = 65534;

/** Safety limits, each with the reason it exists. */
const LIMITS = {
  /** Dovecot accepts connections ~100 ms after spawn; 10 s only trips on a real failure. */
  readyTimeoutMs: 10_000,
  /** The whole process group is gone ~0.2 s after SIGTERM; past this it gets SIGKILL. */
  stopTimeoutMs: 5_000,
  /** A port picked by freePorts() may be taken before Dovecot binds it. */
  bindAttempts: 3,
} as const;
/** A container's default /dev/shm is 64 MB: too small for a 10,000-message benchmark mailbox. */
const SHM_MIN_FREE_BYTES = 2 * 1024 ** 3;

const USER_NAME = /^[A-Za-z0-9._@+-]{1,64}$/;
/** Past the second boundary, so Dovecot's ioloop clock has surely moved on too. */
const PASSWD_RESYNC_MARGIN_MS = 50;
const DOVECOT_BINARY = '/usr/sbin/dovecot';
/** Installed by dovecot-imapd and dovecot-pop3d; without them the listeners start but logins fail. */
const DOVECOT_PROTOCOL_BINARIES = ['/usr/lib/dovecot/imap', '/usr/lib/dovecot/pop3'];
const DH_PARAMS = '/usr/share/dovecot/dh.pem';

const live = new Set<{ proc: ChildProcess; dir: string; keep: boolean }>();
let exitHooksInstalled = false;

/** Starts a fresh Dovecot; see DovecotOptions for the switches. */
export async function startDovecot(opts: DovecotOptions = {}): Promise<DovecotServer> {
  if (process.getuid?.() !== 0) {
    throw new Error('startDovecot: tests run Dovecot as root (it drops mail to nobody); run as root');
  }
  const missing = [DOVECOT_BINARY, ...DOVECOT_PROTOCOL_BINARIES].filter((p) => !existsSync(p));
  if (missing.length > 0) {
    throw new Error(
      `startDovecot: ${missing.join(', ')} missing; run \`bash scripts/setup-test-deps.sh\` as root`,
    );
  }
  installExitHooks();
  const keep = opts.keepDir ?? process.env.BIFF_KEEP_DOVECOT === '1';
  const dir = mkdtempSync(join(scratchRoot(), 'biff-dovecot-'));
  // mkdtemp makes 0700; Dovecot's unprivileged processes (dovenull, nobody) must traverse it.
  chmodSync(dir, 0o755);
  for (const sub of ['run', 'state', 'home']) mkdirSync(join(dir, sub), { mode: 0o755 });
  const cert = makeSelfSignedCertificate(dir);
  const usersDir = join(dir, 'users');
  mkdirSync(usersDir, { mode: 0o755 });
  const logPath = join(dir, 'dovecot.log');
  const fileSizes = new Map<string, number>();
  let started = false;

  const addUser = async (name: string, password: string): Promise<void> => {
    if (!USER_NAME.test(name) || name === '.' || name === '..') {
      throw new Error(`addUser: unsupported user name ${JSON.stringify(name)}`);
    }
    if (/[:\r\n]/.test(password) || password === '') {
      throw new Error('addUser: a passwd-file password cannot be empty or contain ":" or a line break');
    }
    const home = join(dir, 'home', name);
    if (!existsSync(home)) {
      mkdirSync(home, { mode: 0o700 });
      chownSync(home, MAIL_UID, MAIL_GID);
    }
    let text = `${name}:{PLAIN}${password}:${MAIL_UID}:${MAIL_GID}::${home}::\n`;
    // Dovecot reloads the file when its mtime (whole seconds) or size changed: a same-second,
    // same-size rewrite (a password of the same length) needs another size to be noticed.
    if (Buffer.byteLength(text) === fileSizes.get(name)) text += '#\n';
    const changed = fileSizes.has(name);
    fileSizes.set(name, Buffer.byteLength(text));
    const path = join(usersDir, name);
    writeFileSync(`${path}.tmp`, text, { mode: 0o644 });
    renameSync(`${path}.tmp`, path);
    if (started && changed) {
      // The file was already read, and is re-read at most once per second of Dovecot's clock:
      // wait for the next second, so the next login sees the new password.
      const wait = 1_000 - (Date.now() % 1_000) + PASSWD_RESYNC_MARGIN_MS;
      await new Promise((r) => setTimeout(r, wait));
    }
  };
  for (const u of opts.users ?? []) await addUser(u.user, u.pass);
  if (opts.oauth2) {
    const keyPath = oauth2KeyPath(dir, 'RS256', opts.oauth2.kid);
    mkdirSync(dirname(keyPath), { recursive: true, mode: 0o755 });
    writeFileSync(keyPath, opts.oauth2.publicKeyPem, { mode: 0o644 });
    writeFileSync(join(dir, 'dovecot-oauth2.conf.ext'), renderOAuth2Config(dir, opts.oauth2.issuer), {
      mode: 0o644,
    });
  }

  let proc: ChildProcess | undefined;
  let ports: DovecotPorts | undefined;
  let lastError: Error | undefined;
  for (let attempt = 1; attempt <= LIMITS.bindAttempts && proc === undefined; attempt++) {
    const [imap, imaps, pop3, pop3s] = await freePorts(4);
    const candidate: DovecotPorts = { imap: imap!, imaps: imaps!, pop3: pop3!, pop3s: pop3s! };
    const configPath = join(dir, 'dovecot.conf');
    writeFileSync(
      configPath,
      renderDovecotConfig({
        dir,
        ports: candidate,
        qresync: opts.qresync ?? true,
        idle: opts.idle ?? true,
        compress: opts.compress ?? true,
        preview: opts.preview ?? true,
        dhPath: existsSync(DH_PARAMS) ? DH_PARAMS : undefined,
        oauth2: opts.oauth2 ? { issuer: opts.oauth2.issuer } : undefined,
      }),
    );
    try {
      proc = await spawnMaster(configPath, dir, keep, candidate);
      ports = candidate;
    } catch (err) {
      lastError = err as Error;
      if (!/Address already in use/.test(lastError.message)) break;
    }
  }
  started = true;
  if (proc === undefined || ports === undefined || proc.pid === undefined) {
    if (!keep) rmSync(dir, { recursive: true, force: true });
    throw lastError ?? new Error('Dovecot did not start');
  }

  let master = proc;
  const served = ports;
  const configPath = join(dir, 'dovecot.conf');
  let finalLogs: string | undefined;
  let stopping: Promise<void> | undefined;
  return {
    host: '127.0.0.1',
    ports,
    certPem: cert.certPem,
    fingerprint256: cert.fingerprint256,
    dir,
    get pid() {
      return master.pid!;
    },
    addUser,
    maildir: (user) => join(dir, 'home', user, 'Maildir'),
    logs: () => finalLogs ?? readText(logPath),
    stop: () => {
      stopping ??= (async () => {
        await terminate(master);
        finalLogs = readText(logPath);
        for (const entry of live) if (entry.proc === master) live.delete(entry);
        if (!keep) rmSync(dir, { recursive: true, force: true });
      })();
      return stopping;
    },
    restart: async () => {
      if (stopping) throw new Error('restart: the server was stopped');
      await terminate(master);
      for (const entry of live) if (entry.proc === master) live.delete(entry);
      master = await spawnMaster(configPath, dir, keep, served);
    },
  };
}

/**
 * Starts the master on an existing configuration and resolves once it serves every port;
 * rejects (with stderr and the log, which say e.g. "Address already in use") if it does not.
 */
async function spawnMaster(
  configPath: string,
  dir: string,
  keep: boolean,
  ports: DovecotPorts,
): Promise<ChildProcess> {
  // A restart finds the previous master's socket: it must not pass for the new one's.
  rmSync(join(dir, 'run', 'anvil-auth-penalty'), { force: true });
  // Detached: its own process group, so stop() can signal the master and every child at once.
  const child = spawn(DOVECOT_BINARY, ['-F', '-c', configPath], {
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
  });
  // Reported by waitReady; a listener must exist from the start or the error event is fatal.
  child.on('error', () => {});
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (s: string) => {
    stderr += s;
  });
  const entry = { proc: child, dir, keep };
  live.add(entry);
  try {
    await disableAuthPenalty(join(dir, 'run'), child);
    await waitReady(child, ports);
    return child;
  } catch (err) {
    live.delete(entry);
    await terminate(child);
    throw new Error(
      `Dovecot did not start: ${(err as Error).message}\n${stderr}${readText(join(dir, 'dovecot.log'))}`,
    );
  }
}

/**
 * Where instances live: BIFF_TEST_TMPDIR if set, else /dev/shm when it is a roomy tmpfs (no disk
 * I/O for Maildirs and indexes, which on a busy machine makes seeding and syncs several times
 * faster), else the OS temp folder.
 */
function scratchRoot(): string {
  const fromEnv = process.env.BIFF_TEST_TMPDIR;
  if (fromEnv) return fromEnv;
  try {
    const fs = statfsSync('/dev/shm');
    if (fs.bavail * fs.bsize >= SHM_MIN_FREE_BYTES) return '/dev/shm';
  } catch {
    // No /dev/shm: use the temp folder.
  }
  return tmpdir();
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/**
 * Turns off anvil's auth penalty, which makes every login from 127.0.0.1 wait 2, 4, 8, then 15 s
 * after a few failures (wrong-password tests would slow the whole suite). Dovecot 2.3 has no
 * setting for it and ignores login_trusted_networks here; but the auth process disables it
 * silently when anvil's penalty socket is missing at its start (auth-penalty.c:
 * auth_penalty_init, ANVIL_CLIENT_FLAG_HIDE_ENOENT). The master creates its sockets before it
 * starts any process, and auth starts only when the first login connects (after this), so the
 * socket is removed as soon as it appears.
 */
async function disableAuthPenalty(runDir: string, child: ChildProcess): Promise<void> {
  const socket = join(runDir, 'anvil-auth-penalty');
  const deadline = Date.now() + LIMITS.readyTimeoutMs;
  while (!existsSync(socket)) {
    // Exited or never started: waitReady reports it.
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
    if (Date.now() > deadline) throw new Error(`${socket} did not appear`);
    await sleep(5);
  }
  rmSync(socket);
}

/**
 * Resolves once every port accepts a connection and the cleartext ports send their greeting;
 * rejects if Dovecot exits or time runs out. Waiting for a greeting (not just an accepted
 * connection, which the master's listen backlog gives at once) means the login and auth processes
 * are up: a master told to stop while they still start waits ~5 s for them.
 */
function waitReady(child: ChildProcess, ports: DovecotPorts): Promise<void> {
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + LIMITS.readyTimeoutMs;
    let done = false;
    const onExit = (code: number | null, sig: string | null): void => {
      finish(new Error(`dovecot exited (code ${code}, signal ${sig})`));
    };
    const finish = (err?: Error): void => {
      if (done) return;
      done = true;
      child.off('exit', onExit);
      if (err) reject(err);
      else resolve();
    };
    child.once('exit', onExit);
    child.once('error', (err) => finish(err));
    const greetings = new Map<number, RegExp | undefined>([
      [ports.imap, /^\* OK /],
      [ports.pop3, /^\+OK/],
      [ports.imaps, undefined],
      [ports.pop3s, undefined],
    ]);
    const pending = new Set(greetings.keys());
    const probe = (port: number): void => {
      if (done) return;
      const greeting = greetings.get(port);
      const socket = connect({ host: '127.0.0.1', port });
      let received = '';
      let settled = false;
      const ok = (): void => {
        settled = true;
        socket.destroy();
        pending.delete(port);
        if (pending.size === 0) finish();
      };
      const retry = (): void => {
        if (settled) return;
        settled = true;
        socket.destroy();
        if (Date.now() > deadline)
          finish(new Error(`port ${port} not ready after ${LIMITS.readyTimeoutMs} ms`));
        else setTimeout(() => probe(port), 10);
      };
      socket.setEncoding('utf8');
      socket.once('connect', () => {
        if (greeting === undefined) ok();
      });
      socket.on('data', (chunk: string) => {
        received += chunk;
        if (greeting?.test(received)) ok();
      });
      socket.once('error', retry);
      socket.once('close', retry);
    };
    for (const port of pending) probe(port);
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Stops one instance. Dovecot runs detached, as the leader of its own process group, and the
 * whole group gets the signal: on SIGTERM the master exits within ~1 s, but with a session open
 * it leaves log, anvil, login and imap processes running as orphans. Resolves once no process of
 * the group runs; zombies count as gone (PID 1 on these machines may never reap them).
 */
async function terminate(child: ChildProcess): Promise<void> {
  const pid = child.pid;
  if (pid === undefined) return;
  const exited =
    child.exitCode !== null || child.signalCode !== null
      ? Promise.resolve()
      : new Promise<void>((r) => child.once('exit', () => r()));
  const deadline = Date.now() + LIMITS.stopTimeoutMs;
  signal(-pid, 'SIGTERM');
  await Promise.race([exited, sleep(LIMITS.stopTimeoutMs)]);
  while (groupMembers(pid).length > 0 && Date.now() < deadline) await sleep(10);
  if (groupMembers(pid).length > 0 || !isGone(pid)) {
    signal(-pid, 'SIGKILL');
    const killDeadline = Date.now() + 1_000;
    while ((groupMembers(pid).length > 0 || !isGone(pid)) && Date.now() < killDeadline) await sleep(10);
  }
}

/** Kills what is left when the test process ends without stop() (a failed or interrupted test). */
function killAllSync(): void {
  for (const { proc, dir, keep } of live) {
    if (proc.pid !== undefined) signal(-proc.pid, 'SIGKILL');
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
  live.clear();
}

function installExitHooks(): void {
  if (exitHooksInstalled) return;
  exitHooksInstalled = true;
  process.on('exit', killAllSync);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const handler = (): void => {
      killAllSync();
      process.off(sig, handler);
      // Re-raise so the process still dies of the signal, as it would without this hook.
      process.kill(process.pid, sig);
    };
    process.on(sig, handler);
  }
}
