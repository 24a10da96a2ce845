/**
 * Shared helpers for tests that drive the real relay: spawn `relay/bin/biff-relay.js` as a
 * child process, open WebSocket clients against it, start TCP/TLS upstreams on 127.0.0.1 and
 * make certificates with openssl. Other suites (integration, e2e) import these too.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import type { ClientFrame, ServerFrame } from '../../relay/protocol.ts';
import { RELAY_SUBPROTOCOL, TOKEN_SUBPROTOCOL_PREFIX } from '../../relay/protocol.ts';

/** Path of the relay's launcher, as installed by the package's `bin`. */
export const RELAY_BIN = fileURLToPath(new URL('../../relay/bin/biff-relay.js', import.meta.url));

const READY_LINE = /^biff-relay listening on (ws:\/\/\S+:(\d+)\/v1)$/m;

/** How to start a relay for a test. */
export interface StartRelayOptions {
  /** Extra command-line flags. */
  args?: string[];
  /** Adds `--allow-private` (default true: test upstreams live on 127.0.0.1). */
  allowPrivate?: boolean;
  /** Passes `--token`; without it the relay uses (and creates) its token file. */
  token?: string;
  /** Passes `--config`; default a file in a fresh temporary directory. */
  configPath?: string;
  /** Extra environment, e.g. NODE_EXTRA_CA_CERTS. */
  env?: NodeJS.ProcessEnv;
  /** Flags for Node itself, e.g. `--cpu-prof` (the benchmark's profiles; NODE_OPTIONS refuses it). */
  nodeArgs?: string[];
  /** How long to wait for the ready line (default 15 s). */
  readyTimeoutMs?: number;
  /** The program to run instead of the repository's launcher, e.g. the packaged single file. */
  bin?: string;
  /** Working directory of the relay (default this process's). */
  cwd?: string;
}

/** A relay child process that printed its ready line. */
export interface RunningRelay {
  /** `ws://127.0.0.1:PORT/v1` */
  url: string;
  port: number;
  /** The pairing token the relay requires. */
  token: string;
  /** The token file in use (`--config`), or null with `--token`. */
  configPath: string | null;
  proc: ChildProcess;
  /** Sends a signal (default SIGTERM) and resolves with the exit code (null if killed by a signal). */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** Everything the relay wrote so far, stdout then stderr. */
  logs(): string;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>;
}

const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const proc of running) proc.kill('SIGKILL');
});

/** A fresh temporary directory, removed at process exit. */
export function tempDir(prefix = 'biff-relay-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Spawns the real relay on `--port 0` and waits until it listens. */
export async function startRelay(options: StartRelayOptions = {}): Promise<RunningRelay> {
  const args = ['--port', '0'];
  const configPath = options.token ? null : (options.configPath ?? join(tempDir(), 'relay.json'));
  if (options.token) args.push('--token', options.token);
  if (configPath) args.push('--config', configPath);
  if (options.allowPrivate ?? true) args.push('--allow-private');
  args.push(...(options.args ?? []));
  const proc = spawn(process.execPath, [...(options.nodeArgs ?? []), options.bin ?? RELAY_BIN, ...args], {
    env: { ...process.env, ...options.env },
    cwd: options.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(proc);
  let stdout = '';
  let stderr = '';
  proc.stdout!.setEncoding('utf8').on('data', (text: string) => {
    stdout += text;
  });
  proc.stderr!.setEncoding('utf8').on('data', (text: string) => {
    stderr += text;
  });
  const exited = new Promise<number | null>((resolve) => {
    proc.once('exit', (code) => {
      running.delete(proc);
      resolve(code);
    });
  });
  const ready = await new Promise<RegExpExecArray>((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`relay not ready in time:\n${stdout}${stderr}`));
    }, options.readyTimeoutMs ?? 15_000);
    const onData = (): void => {
      const match = READY_LINE.exec(stdout);
      if (!match) return;
      clearTimeout(timer);
      proc.stdout!.off('data', onData);
      resolve(match);
    };
    proc.stdout!.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`relay exited with ${code} before listening:\n${stdout}${stderr}`));
    });
  });
  const token = options.token ?? (JSON.parse(readFileSync(configPath!, 'utf8')) as { token: string }).token;
  return {
    url: ready[1]!,
    port: Number(ready[2]),
    token,
    configPath,
    proc,
    exited,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      return exited;
    },
    logs: () => stdout + stderr,
    stdout: () => stdout,
    stderr: () => stderr,
  };
}

/** Peak resident memory of a process in bytes (VmHWM), Linux only. */
export function peakRss(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmHWM:\s+(\d+) kB$/m.exec(status);
  if (!match) throw new Error('no VmHWM in /proc/PID/status');
  return Number(match[1]) * 1024;
}

// ——— Clients ———

/** How a test client presents itself to the relay. */
export interface ClientOptions {
  /** Token to offer; default the relay's. null offers none. */
  token?: string | null;
  /** Origin header; default none. */
  origin?: string;
  /** Subprotocols to offer instead of the usual two. */
  protocols?: string[];
  /** Extra request headers (e.g. a foreign Host). */
  headers?: Record<string, string>;
  /** URL path instead of /v1. */
  path?: string;
}

function clientArgs(relay: Pick<RunningRelay, 'url' | 'token'>, options: ClientOptions) {
  const token = options.token === undefined ? relay.token : options.token;
  const protocols = options.protocols ?? [
    RELAY_SUBPROTOCOL,
    ...(token === null ? [] : [`${TOKEN_SUBPROTOCOL_PREFIX}${token}`]),
  ];
  const url = options.path ? relay.url.replace(/\/v1$/, options.path) : relay.url;
  return {
    url,
    protocols,
    wsOptions: {
      ...(options.origin === undefined ? {} : { origin: options.origin }),
      headers: options.headers ?? {},
      perMessageDeflate: false,
    },
  };
}

/** The HTTP status the relay answers an upgrade with: 101 when it accepts. */
export function upgradeStatus(
  relay: Pick<RunningRelay, 'url' | 'token'>,
  options: ClientOptions = {},
): Promise<number> {
  const { url, protocols, wsOptions } = clientArgs(relay, options);
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols, wsOptions);
    ws.once('upgrade', () => {
      resolve(101);
      ws.terminate();
    });
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
      ws.terminate();
    });
    ws.once('error', (error) => reject(error));
  });
}

/** A frame from the relay, as a test sees it. */
export type ReceivedFrame = { kind: 'json'; frame: ServerFrame } | { kind: 'binary'; data: Buffer };

/** A WebSocket client of the relay with an async frame queue. */
export class RelayClient {
  private readonly queue: ReceivedFrame[] = [];
  private readonly offsets = new WeakMap<ServerFrame, number>();
  private waiter: (() => void) | null = null;
  /** Every binary byte received, in order. */
  received = Buffer.alloc(0);
  /** Resolves when the WebSocket closed. */
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) {
        this.received = Buffer.concat([this.received, data]);
        this.queue.push({ kind: 'binary', data });
      } else {
        const frame = JSON.parse(data.toString('utf8')) as ServerFrame;
        this.offsets.set(frame, this.received.length);
        this.queue.push({ kind: 'json', frame });
      }
      this.wake();
    });
    this.closed = new Promise((resolve) => {
      ws.once('close', (code, reason) => {
        resolve({ code, reason: reason.toString('utf8') });
        this.wake();
      });
    });
    ws.on('error', () => {});
  }

  /** Opens a client; rejects if the relay refuses the upgrade. */
  static open(relay: Pick<RunningRelay, 'url' | 'token'>, options: ClientOptions = {}): Promise<RelayClient> {
    const { url, protocols, wsOptions } = clientArgs(relay, options);
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, protocols, wsOptions);
      const client = new RelayClient(ws);
      ws.once('open', () => resolve(client));
      ws.once('unexpected-response', (_req, res) => {
        reject(new Error(`relay answered HTTP ${res.statusCode}`));
        ws.terminate();
      });
      ws.once('error', reject);
    });
  }

  private wake(): void {
    const waiter = this.waiter;
    this.waiter = null;
    waiter?.();
  }

  private get isClosed(): boolean {
    return this.ws.readyState === WebSocket.CLOSED;
  }

  /** The next frame; rejects if the WebSocket closes first. */
  async next(): Promise<ReceivedFrame> {
    while (this.queue.length === 0) {
      if (this.isClosed) throw new Error('closed with no more frames');
      await new Promise<void>((resolve) => {
        this.waiter = resolve;
      });
    }
    return this.queue.shift()!;
  }

  /** The next frame, which must be JSON; with `skipBytes`, binary frames before it are passed over. */
  async nextJson(skipBytes = false): Promise<ServerFrame> {
    for (;;) {
      const frame = await this.next();
      if (frame.kind === 'json') return frame.frame;
      if (!skipBytes) throw new Error(`expected a JSON frame, got ${frame.data.length} bytes`);
    }
  }

  /** Waits until at least `length` binary bytes arrived in all; returns them all. */
  async readBytes(length: number): Promise<Buffer> {
    while (this.received.length < length) {
      const frame = await this.next();
      if (frame.kind === 'json') throw new Error(`expected bytes, got ${JSON.stringify(frame.frame)}`);
    }
    return this.received;
  }

  /** Waits until the received bytes contain `text`. */
  async readUntil(text: string): Promise<string> {
    while (!this.received.toString('latin1').includes(text)) {
      const frame = await this.next();
      if (frame.kind === 'json') throw new Error(`expected bytes, got ${JSON.stringify(frame.frame)}`);
    }
    return this.received.toString('latin1');
  }

  /** How many binary bytes had arrived before this JSON frame (e.g. before `secured`). */
  bytesBefore(frame: ServerFrame): number {
    const offset = this.offsets.get(frame);
    if (offset === undefined) throw new Error('not a frame this client received');
    return offset;
  }

  /** Frames still queued (already received, not yet read). */
  pending(): ReceivedFrame[] {
    return [...this.queue];
  }

  sendJson(frame: ClientFrame | Record<string, unknown>): void {
    this.ws.send(JSON.stringify(frame));
  }

  sendBytes(data: Buffer | string): void {
    this.ws.send(typeof data === 'string' ? Buffer.from(data, 'latin1') : data, { binary: true });
  }

  /** Closes with 1000 and waits for the close. */
  async close(): Promise<void> {
    if (!this.isClosed) this.ws.close(1000);
    await this.closed;
  }
}

/** Opens a client and sends `connect`; resolves with the client and the relay's first reply. */
export async function connectVia(
  relay: Pick<RunningRelay, 'url' | 'token'>,
  target: { host: string; port: number; tls?: 'implicit' | 'starttls' | 'none'; pin?: string },
  options: ClientOptions = {},
): Promise<{ client: RelayClient; reply: ServerFrame }> {
  const client = await RelayClient.open(relay, options);
  client.sendJson({ op: 'connect', tls: 'none', ...target });
  return { client, reply: await client.nextJson() };
}

// ——— Upstreams ———

/** A test upstream listening on 127.0.0.1. */
export interface Upstream {
  port: number;
  /** Sockets accepted so far. */
  sockets: Socket[];
  close(): Promise<void>;
}

function listen(server: Server, sockets: Socket[]): Promise<Upstream> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') throw new Error('no port');
      resolve({
        port: address.port,
        sockets,
        close: () =>
          new Promise<void>((done) => {
            for (const socket of sockets) socket.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}

/** A plain TCP server on 127.0.0.1 running `onSocket` for every connection. */
export function startTcpServer(onSocket: (socket: Socket) => void = () => {}): Promise<Upstream> {
  const sockets: Socket[] = [];
  const server = createServer((socket) => {
    sockets.push(socket);
    socket.on('error', () => {});
    onSocket(socket);
  });
  return listen(server, sockets);
}

/** A TCP echo server on 127.0.0.1 (with backpressure, through pipe). */
export function startEchoServer(): Promise<Upstream> {
  return startTcpServer((socket) => socket.pipe(socket));
}

/** A TLS server on 127.0.0.1; `servernames` records the SNI of each handshake ('' without SNI). */
export async function startTlsServer(
  cert: Pick<TestCert, 'key' | 'cert'>,
  onSocket: (socket: TLSSocket) => void = () => {},
): Promise<Upstream & { servernames: string[] }> {
  const sockets: Socket[] = [];
  const servernames: string[] = [];
  const server = createTlsServer({ key: cert.key, cert: cert.cert }, (socket) => {
    servernames.push(typeof socket.servername === 'string' ? socket.servername : '');
    socket.on('error', () => {});
    onSocket(socket);
  });
  server.on('connection', (socket: Socket) => {
    sockets.push(socket);
    socket.on('error', () => {});
  });
  server.on('tlsClientError', () => {});
  const upstream = await listen(server as unknown as Server, sockets);
  return { ...upstream, servernames };
}

/** A port on 127.0.0.1 where nothing listens (bound, then released). */
export async function closedPort(): Promise<number> {
  const upstream = await startTcpServer();
  await upstream.close();
  return upstream.port;
}

// ——— Certificates ———

/** A certificate made for a test. */
export interface TestCert {
  key: string;
  cert: string;
  keyPath: string;
  certPath: string;
  /** As Node's `fingerprint256` writes it: `AB:CD:…`. */
  fingerprint256: string;
}

/** Options of makeCert. */
export interface CertOptions {
  /** subjectAltName entries, e.g. `DNS:localhost`, `IP:127.0.0.1`; default `DNS:<cn>`. */
  altNames?: string[];
  /** Sign with this CA instead of self-signing. */
  ca?: TestCert;
  /** Make a CA certificate. */
  isCa?: boolean;
}

let serial = 0;

/** Makes a P-256 key and certificate for `cn` in `dir` with openssl (self-signed by default). */
export function makeCert(dir: string, cn: string, options: CertOptions = {}): TestCert {
  const name = `${cn.replace(/[^\w.-]/g, '_')}-${++serial}`;
  const keyPath = join(dir, `${name}.key`);
  const certPath = join(dir, `${name}.crt`);
  const extPath = join(dir, `${name}.ext`);
  const altNames = options.altNames ?? [`DNS:${cn}`];
  const ext = options.isCa
    ? ['basicConstraints=critical,CA:TRUE', 'keyUsage=critical,keyCertSign,cRLSign']
    : ['basicConstraints=CA:FALSE', `subjectAltName=${altNames.join(',')}`];
  writeFileSync(extPath, `${ext.join('\n')}\n`);
  const quiet = { stdio: ['ignore', 'ignore', 'pipe'] as ('ignore' | 'pipe')[] };
  execFileSync('openssl', ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', keyPath], quiet);
  if (options.ca) {
    const csrPath = join(dir, `${name}.csr`);
    execFileSync('openssl', ['req', '-new', '-key', keyPath, '-subj', `/CN=${cn}`, '-out', csrPath], quiet);
    execFileSync(
      'openssl',
      [
        'x509',
        '-req',
        '-in',
        csrPath,
        '-CA',
        options.ca.certPath,
        '-CAkey',
        options.ca.keyPath,
        '-set_serial',
        String(Date.now() + serial),
        '-days',
        '30',
        '-extfile',
        extPath,
        '-out',
        certPath,
      ],
      quiet,
    );
  } else {
    execFileSync(
      'openssl',
      ['req', '-x509', '-key', keyPath, '-subj', `/CN=${cn}`, '-days', '30', '-extensions', 'v3_ext'].concat([
        '-config',
        writeReqConfig(dir, name, ext),
        '-out',
        certPath,
      ]),
      quiet,
    );
  }
  const cert = readFileSync(certPath, 'utf8');
  return {
    key: readFileSync(keyPath, 'utf8'),
    cert,
    keyPath,
    certPath,
    fingerprint256: new X509Certificate(cert).fingerprint256,
  };
}

function writeReqConfig(dir: string, name: string, ext: string[]): string {
  const path = join(dir, `${name}.cnf`);
  writeFileSync(path, `[req]\ndistinguished_name=dn\n[dn]\n[v3_ext]\n${ext.join('\n')}\n`);
  return path;
}

/** A CA certificate for `makeCert(..., {ca})`; give its certPath to the relay as NODE_EXTRA_CA_CERTS. */
export function makeCa(dir: string, cn = 'Biff Test CA'): TestCert {
  return makeCert(dir, cn, { isCa: true });
}
