/**
 * A raw Chrome DevTools Protocol connection to one target (the extension's service worker),
 * for what Playwright does not offer on workers: `HeapProfiler.collectGarbage`,
 * `Runtime.getHeapUsage` and the `Profiler` domain. Chromium is launched with
 * `--remote-debugging-port=0` and writes the port it picked to `DevToolsActivePort` in its
 * profile; a second client next to Playwright's pipe is allowed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';

/** One CDP target as `/json/list` describes it. */
interface TargetInfo {
  type: string;
  url: string;
  webSocketDebuggerUrl?: string;
}

/** Chromium flag that makes `connectToTarget` possible. */
export const REMOTE_DEBUGGING_FLAG = '--remote-debugging-port=0';

async function devToolsPort(profile: string, timeoutMs = 10_000): Promise<number> {
  const file = join(profile, 'DevToolsActivePort');
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(file)) {
    if (Date.now() > deadline)
      throw new Error(`no ${file}: was Chromium started with ${REMOTE_DEBUGGING_FLAG}?`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return Number(readFileSync(file, 'utf8').split('\n')[0]);
}

/** A CDP session on one target. */
export class CdpSession {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  private readonly listeners = new Map<string, Array<(params: unknown) => void>>();

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data)) as {
        id?: number;
        result?: unknown;
        error?: { message: string };
        method?: string;
        params?: unknown;
      };
      if (msg.id !== undefined) {
        const waiter = this.pending.get(msg.id);
        this.pending.delete(msg.id);
        if (msg.error) waiter?.reject(new Error(`CDP: ${msg.error.message}`));
        else waiter?.resolve(msg.result);
      } else if (msg.method) {
        for (const listener of this.listeners.get(msg.method) ?? []) listener(msg.params);
      }
    });
    ws.on('close', () => {
      for (const waiter of this.pending.values()) waiter.reject(new Error('CDP connection closed'));
      this.pending.clear();
    });
  }

  /** Connects to the first target of `type` whose URL starts with `urlPrefix`. */
  static async connect(profile: string, type: string, urlPrefix: string): Promise<CdpSession> {
    const port = await devToolsPort(profile);
    const targets = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as TargetInfo[];
    const target = targets.find((t) => t.type === type && t.url.startsWith(urlPrefix));
    if (!target?.webSocketDebuggerUrl) throw new Error(`no ${type} target at ${urlPrefix}`);
    const ws = new WebSocket(target.webSocketDebuggerUrl, { perMessageDeflate: false, maxPayload: 1 << 30 });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return new CdpSession(ws);
  }

  send<T = unknown>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.ws.send(JSON.stringify({ id, method, params }));
    });
  }

  on(method: string, listener: (params: unknown) => void): void {
    const list = this.listeners.get(method) ?? [];
    list.push(listener);
    this.listeners.set(method, list);
  }

  /** JS heap in use after a full garbage collection, in bytes. */
  async heapAfterGc(): Promise<{ usedSize: number; totalSize: number }> {
    await this.send('HeapProfiler.enable');
    await this.send('HeapProfiler.collectGarbage');
    await this.send('HeapProfiler.collectGarbage');
    return this.send('Runtime.getHeapUsage');
  }

  /** Starts the sampling CPU profiler; `stopProfile` returns the `.cpuprofile` JSON. */
  async startProfile(intervalUs = 200): Promise<void> {
    await this.send('Profiler.enable');
    await this.send('Profiler.setSamplingInterval', { interval: intervalUs });
    await this.send('Profiler.start');
  }

  async stopProfile(): Promise<CpuProfile> {
    const { profile } = await this.send<{ profile: CpuProfile }>('Profiler.stop');
    return profile;
  }

  close(): void {
    this.ws.close();
  }
}

/** The parts of a `.cpuprofile` the summary reads. */
export interface CpuProfile {
  nodes: Array<{
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
    hitCount?: number;
    children?: number[];
  }>;
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}
