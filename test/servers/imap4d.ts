// A real GNU Mailutils imap4d (Debian's mailutils-imap4d) for integration tests: the tests' own
// instance in daemon mode, with its own configuration file, certificate, users and mbox
// mailboxes in a fresh temp folder, on a free loopback port, gone after stop().
//
// Why this server: its IDLE answers `+ idling` and then says nothing until the client sends a
// line; it looks at the mailbox only when a command (or the DONE ending IDLE) arrives. A client
// that waits for IDLE to announce new mail waits for ever. Biff's reply deadline sends a line at
// least every IMAP_SOCKET_TIMEOUT_MS (RELIABILITY.md, "The bound on a dead connection").
//
// Users are a virtual domain (`virtdomain`: a passwd-format file per domain, crypt(3) hashes;
// authentication `generic` checks the password against it), so no system user is made. A user
// logs in as `name@biff.test`; INBOX is the mbox file `<home>/INBOX`, other folders sit beside it.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeSelfSignedCertificate } from './certificate.ts';
import { freePorts } from './free-port.ts';
import { groupMembers, isGone, signal } from './process-tree.ts';

/** Installed by Debian's mailutils-imap4d (scripts/setup-test-deps.sh). */
export const IMAP4D_BINARY = '/usr/sbin/imap4d';
/** The virtual domain every user belongs to: log in as `name@IMAP4D_DOMAIN`. */
export const IMAP4D_DOMAIN = 'biff.test';

/** Safety limits, each with the reason it exists. */
const LIMITS = {
  /** imap4d listens within ~50 ms of spawn; 10 s only trips on a real failure. */
  readyTimeoutMs: 10_000,
  /** The daemon and its session children are gone at once on SIGTERM; past this, SIGKILL. */
  stopTimeoutMs: 5_000,
  /** A port picked by freePorts() may be taken before imap4d binds it. */
  bindAttempts: 3,
} as const;

const USER_NAME = /^[a-z0-9._-]{1,32}$/;

/** A running imap4d. */
export interface Imap4dServer {
  readonly host: '127.0.0.1';
  /** Implicit TLS (`tls-mode connection`): the only port. */
  readonly port: number;
  /** The server certificate (self-signed, CN=localhost, SAN localhost and 127.0.0.1). */
  readonly certPem: string;
  /** SHA-256 fingerprint of the certificate, as Node's X509Certificate.fingerprint256 writes it. */
  readonly fingerprint256: string;
  /** The instance's temp folder (config, certificate, homes). */
  readonly dir: string;
  /** The login name of user `name`: `name@biff.test`. */
  login(name: string): string;
  /** imap4d's log so far: its diagnostics and every session's transcript (passwords masked by imap4d). */
  logs(): string;
  /** SIGTERM to the daemon and its sessions; resolves once all are gone and the folder removed. */
  stop(): Promise<void>;
}

/** What startImap4d() needs. */
export interface Imap4dOptions {
  /** Accounts to create (name without the domain, and password). */
  users: ReadonlyArray<{ user: string; pass: string }>;
}

const live = new Set<{ proc: ChildProcess; dir: string }>();
let exitHookInstalled = false;

/** Starts a fresh imap4d; see the file comment. */
export async function startImap4d(opts: Imap4dOptions): Promise<Imap4dServer> {
  if (process.getuid?.() !== 0)
    throw new Error('startImap4d: imap4d runs as root here (it serves other uids)');
  if (!existsSync(IMAP4D_BINARY)) {
    throw new Error(`startImap4d: ${IMAP4D_BINARY} missing; run \`bash scripts/setup-test-deps.sh\` as root`);
  }
  installExitHook();
  const dir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'biff-imap4d-'));
  chmodSync(dir, 0o755);
  const cert = makeSelfSignedCertificate(dir);
  // imap4d's TLS file checks refuse a key that others can read.
  chmodSync(cert.keyPath, 0o600);
  const passwdDir = join(dir, 'passwd');
  mkdirSync(passwdDir, { mode: 0o755 });
  const lines: string[] = [];
  for (const { user, pass } of opts.users) {
    if (!USER_NAME.test(user)) throw new Error(`startImap4d: unsupported user name ${JSON.stringify(user)}`);
    const home = join(dir, 'home', user);
    mkdirSync(home, { recursive: true, mode: 0o755 });
    // An empty mailbox, as a mail spool has before the first delivery: imap4d makes INBOX on
    // the first SELECT but refuses an APPEND to it before (NO [TRYCREATE]).
    writeFileSync(join(home, 'INBOX'), '', { mode: 0o600 });
    // crypt(3) SHA-512, as /etc/shadow has it; the password goes to openssl on stdin, not argv.
    const hash = execFileSync('openssl', ['passwd', '-6', '-stdin'], { input: `${pass}\n` })
      .toString()
      .trim();
    lines.push(`${user}:${hash}:65534:65534:${user}:${home}:/bin/false`);
  }
  writeFileSync(join(passwdDir, IMAP4D_DOMAIN), `${lines.join('\n')}\n`, { mode: 0o600 });
  const log = { text: '' };

  let proc: ChildProcess | undefined;
  let port = 0;
  let lastError: Error | undefined;
  for (let attempt = 1; attempt <= LIMITS.bindAttempts && proc === undefined; attempt++) {
    [port] = (await freePorts(1)) as [number];
    const configPath = join(dir, 'imap4d.conf');
    writeFileSync(configPath, renderConfig(dir, port, cert), { mode: 0o644 });
    try {
      proc = await spawnDaemon(configPath, dir, log, port);
    } catch (error) {
      lastError = error as Error;
      if (!/in use/i.test(lastError.message)) break;
    }
  }
  if (proc === undefined) {
    rmSync(dir, { recursive: true, force: true });
    throw lastError ?? new Error('imap4d did not start');
  }
  const daemon = proc;
  let stopping: Promise<void> | undefined;
  return {
    host: '127.0.0.1',
    port,
    certPem: cert.certPem,
    fingerprint256: cert.fingerprint256,
    dir,
    login: (name) => `${name}@${IMAP4D_DOMAIN}`,
    logs: () => log.text,
    stop: () => {
      stopping ??= (async () => {
        await terminate(daemon);
        for (const entry of live) if (entry.proc === daemon) live.delete(entry);
        rmSync(dir, { recursive: true, force: true });
      })();
      return stopping;
    },
  };
}

/** The configuration (`imap4d --config-help` lists every statement). Pure. */
export function renderConfig(dir: string, port: number, cert: { certPath: string; keyPath: string }): string {
  return `# Generated by test/servers/imap4d.ts
mode daemon;
foreground yes;
pidfile ${join(dir, 'imap4d.pid')};
max-children 50;
logging { syslog no; }
tcp-wrappers { enable no; }
auth { authentication generic; authorization virtdomain; }
virtdomain { passwd-dir ${join(dir, 'passwd')}; }
server 127.0.0.1:${port} {
  transcript yes;
  tls-mode connection;
  tls {
    ssl-certificate-file ${cert.certPath};
    ssl-key-file ${cert.keyPath};
  };
};
`;
}

/** Starts the daemon and resolves once it accepts a TLS connection's TCP part; rejects with its output if not. */
async function spawnDaemon(
  configPath: string,
  dir: string,
  log: { text: string },
  port: number,
): Promise<ChildProcess> {
  // Detached: its own process group, so stop() signals the daemon and every session at once.
  const child = spawn(IMAP4D_BINARY, [`--config-file=${configPath}`], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  child.on('error', () => {});
  const onData = (s: string) => {
    log.text += s;
  };
  child.stdout?.setEncoding('utf8').on('data', onData);
  child.stderr?.setEncoding('utf8').on('data', onData);
  const entry = { proc: child, dir };
  live.add(entry);
  try {
    await waitListening(child, port);
    return child;
  } catch (error) {
    live.delete(entry);
    await terminate(child);
    throw new Error(`imap4d did not start: ${(error as Error).message}\n${log.text}`);
  }
}

function waitListening(child: ChildProcess, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + LIMITS.readyTimeoutMs;
    let done = false;
    const finish = (error?: Error) => {
      if (done) return;
      done = true;
      if (error) reject(error);
      else resolve();
    };
    child.once('exit', (code, sig) => finish(new Error(`imap4d exited (code ${code}, signal ${sig})`)));
    const probe = () => {
      if (done) return;
      const socket = connect({ host: '127.0.0.1', port });
      socket.once('connect', () => {
        socket.destroy();
        finish();
      });
      socket.once('error', () => {
        socket.destroy();
        if (Date.now() > deadline) finish(new Error(`port ${port} not listening`));
        else setTimeout(probe, 10);
      });
    };
    probe();
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function terminate(child: ChildProcess): Promise<void> {
  const pid = child.pid;
  if (pid === undefined) return;
  const deadline = Date.now() + LIMITS.stopTimeoutMs;
  signal(-pid, 'SIGTERM');
  while ((groupMembers(pid).length > 0 || !isGone(pid)) && Date.now() < deadline) await sleep(10);
  if (groupMembers(pid).length > 0 || !isGone(pid)) {
    signal(-pid, 'SIGKILL');
    const killDeadline = Date.now() + 1_000;
    while ((groupMembers(pid).length > 0 || !isGone(pid)) && Date.now() < killDeadline) await sleep(10);
  }
}

/** Kills what is left when the test process ends without stop(). */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const { proc, dir } of live) {
      if (proc.pid !== undefined) signal(-proc.pid, 'SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
    live.clear();
  });
}
