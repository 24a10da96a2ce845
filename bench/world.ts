/**
 * The benchmark's world: BrowserWorld (real Dovecot, the real relay, Chromium with the
 * benchmark's build of the extension), plus a raw CDP session on the service worker, plus the
 * worker-side helpers every case uses. Engine work is timed inside the worker with
 * `performance.now()` through the console handle `globalThis.biff.ready` (background/index.ts).
 */

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Account } from '../extension/accounts.ts';
import { DEFAULT_IMAP } from '../extension/accounts.ts';
import type { Actions } from '../extension/engine/actions.ts';
import type { Engine } from '../extension/engine/engine.ts';
import type { MessagesRepo } from '../extension/store/messages-repo.ts';
import type { SettingsStore } from '../extension/store/settings.ts';
import { BrowserWorld } from '../test/browser/world.ts';
import { PASSWORD } from '../test/support/server-world.ts';
import { CdpSession, REMOTE_DEBUGGING_FLAG } from './cdp.ts';
import { cpuDelta, cpuSnapshot } from './cpu.ts';
import { bundleModules, summarizeProfile } from './profile.ts';

/** What background/index.ts puts on the worker's global object. */
export interface WorkerGlobals {
  biff: {
    ready: Promise<{ engine: Engine; actions: Actions; settings: SettingsStore; messages: MessagesRepo }>;
  };
}

/** Where `--profile` writes CPU profiles, and the log their summaries go to. */
export interface ProfileOptions {
  dir: string;
  log: (line: string) => void;
}

/** BrowserWorld with a CDP session on the worker. */
export class BenchWorld {
  private readonly moduleOf: (line: number) => string;

  private constructor(
    readonly world: BrowserWorld,
    readonly cdp: CdpSession,
    dist: string,
    private readonly profiling: ProfileOptions | null,
  ) {
    this.moduleOf = profiling ? bundleModules(join(dist, 'background.js')) : () => '';
  }

  static async start(
    dist: string,
    users: number,
    profiling: ProfileOptions | null = null,
  ): Promise<BenchWorld> {
    // Playwright enables the Network domain on service workers, so Chromium copies every
    // WebSocket frame the worker sends or receives (all the mail, base64) into CDP events for
    // it: several seconds of browser-process CPU per POP3 download. Nobody runs Biff under
    // Playwright; read where it checks this in playwright-core's CRServiceWorker.
    process.env.PLAYWRIGHT_DISABLE_SERVICE_WORKER_NETWORK = '1';
    const world = await BrowserWorld.start({ users, launch: { dist, args: [REMOTE_DEBUGGING_FLAG] } });
    const cdp = await CdpSession.connect(
      world.ext.profile,
      'service_worker',
      `chrome-extension://${world.ext.extensionId}/`,
    );
    return new BenchWorld(world, cdp, dist, profiling);
  }

  /**
   * Runs `job`; with `--profile`, and only for the first measured run (`index` 0), under the
   * worker's CPU profiler: the profile goes to `<dir>/<name>.cpuprofile` and its summary to the log.
   */
  async profiled<T>(name: string, index: number, job: () => Promise<T>): Promise<T> {
    if (!this.profiling || index !== 0) return job();
    await this.cdp.startProfile();
    const result = await job();
    const profile = await this.cdp.stopProfile();
    mkdirSync(this.profiling.dir, { recursive: true });
    writeFileSync(join(this.profiling.dir, `${name}.cpuprofile`), JSON.stringify(profile));
    const lines = summarizeProfile(profile, (url, line) =>
      url.endsWith('/background.js') ? this.moduleOf(line) : url,
    );
    for (const line of [`  [profile of ${name}, worker]`, ...lines]) this.profiling.log(line);
    return result;
  }

  get dovecot() {
    return this.world.dovecot;
  }

  get relay() {
    return this.world.relay;
  }

  newUser(): string {
    return this.world.newUser();
  }

  /** An IMAPS account for `user`, disabled (no push, no alarms) unless `enabled`. */
  imapAccount(user: string, syncWindow: number, enabled = false): Account {
    return this.world.accountFor(user, 'imap', 'implicit', {
      enabled,
      imap: { ...DEFAULT_IMAP, syncWindow },
    });
  }

  /** A POP3S account for `user` that leaves mail on the server. */
  pop3Account(user: string): Account {
    return this.world.accountFor(user, 'pop3', 'implicit', { enabled: false });
  }

  /**
   * Stores the account and its password the way the `saveAccount` handler does (settings store,
   * then the engine re-reads accounts and starts push for enabled IMAP accounts), without the
   * handler's fire-and-forget first sync, so the case decides when that sync runs and times it.
   */
  async addAccount(account: Account): Promise<void> {
    await this.world.ext.worker.evaluate(
      async ({ account, password }) => {
        const { engine, settings } = await (globalThis as unknown as WorkerGlobals).biff.ready;
        await settings.saveAccount(account, password);
        await engine.reloadAccounts();
      },
      { account, password: PASSWORD },
    );
  }

  /** Removes the account through the contract (which also purges its cached mail). */
  async removeAccount(id: string): Promise<void> {
    await this.world.call('removeAccount', { accountId: id });
  }

  /**
   * One `engine.sync(id)` (what the `syncNow` handler runs), timed in the worker from the call
   * until it resolves: connect through the relay, log in, sync, write to IndexedDB, log out.
   * Throws when the sync ended in error. Returns milliseconds.
   */
  async timedSync(id: string): Promise<number> {
    const { ms, error } = await this.world.ext.worker.evaluate(async (id) => {
      const { engine } = await (globalThis as unknown as WorkerGlobals).biff.ready;
      const started = performance.now();
      const status = await engine.sync(id, 'manual');
      const ms = performance.now() - started;
      return {
        ms,
        error: status.state === 'error' ? `${status.error?.code}: ${status.error?.message}` : null,
      };
    }, id);
    if (error) throw new Error(`sync of ${id} failed: ${error}`);
    return ms;
  }

  /** How many messages of `id`'s `folder` are cached. */
  cachedCount(id: string, folder = 'INBOX'): Promise<number> {
    return this.world.ext.worker.evaluate(
      async ({ id, folder }) => {
        const { messages } = await (globalThis as unknown as WorkerGlobals).biff.ready;
        return (await messages.uidsInFolder(id, folder)).length;
      },
      { id, folder },
    );
  }

  /** Runs `job` and returns its result with the CPU time each process group spent meanwhile. */
  async withCpu<T>(job: () => Promise<T>): Promise<{ result: T; cpu: string }> {
    const groups = {
      dovecotPgrp: this.dovecot.pid,
      relayPid: this.relay.proc.pid ?? -1,
      chromiumProfile: this.world.ext.profile,
    };
    const before = cpuSnapshot(groups);
    const result = await job();
    return { result, cpu: cpuDelta(before, cpuSnapshot(groups)) };
  }

  /** The service worker's JS heap after two full GCs, in bytes. */
  async workerHeap(): Promise<number> {
    return (await this.cdp.heapAfterGc()).usedSize;
  }

  async stop(): Promise<void> {
    this.cdp.close();
    await this.world.stop();
  }
}
