/**
 * The soak: the built extension in real Chromium, the real relay and a real Dovecot, with a
 * fault proxy of ours between the relay and Dovecot, one IMAP account (INBOX and Work watched)
 * and one POP3 account ("Leave a copy on the server" off), both checked every minute. Mail is
 * delivered at random intervals, each message with a subject of its own, while faults are
 * injected at random: connection resets, blackholes (bytes stop, nothing closes), the relay
 * killed and restarted, Dovecot restarted, the background stopped, another client marking
 * read, deleting and moving, and a UIDVALIDITY change. Then the faults stop, nothing is
 * pressed, and the oracle (oracle.ts) judges every message once things had time to settle.
 *
 * Facts are gathered from outside wherever possible: the store is read from an extension page
 * with the raw IndexedDB API, the server through another IMAP client and the Maildir. Two
 * things only the worker knows are recorded inside it: every new-mail announcement (the
 * engine's `onNewMail`, through the worker's `biffNewMailWatchers`, set before it starts) and the id of every notification
 * created, appended to `storage.session` so they outlive a stopped worker.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ImapFlow } from 'imapflow';
import type { Page } from 'playwright';
import { DEFAULT_IMAP, DEFAULT_POP3 } from '../../extension/accounts.ts';
import { DIST_CHROME } from '../browser/extension.ts';
import { plainMessage } from '../browser/user.ts';
import { BrowserWorld } from '../browser/world.ts';
import { FaultProxy } from '../servers/fault-proxy.ts';
import { imapClient } from '../servers/imap-client.ts';
import { mulberry32 } from '../servers/messages.ts';
import { seedMaildir } from '../servers/seed.ts';
import { PASSWORD } from '../support/server-world.ts';
import {
  type Delivery,
  type FaultKind,
  type FaultRecord,
  judge,
  type Mailbox,
  type OracleLimits,
  type ServerMessage,
  type SoakFacts,
  type SoakReport,
  type StoredRow,
} from './oracle.ts';

/** How to run. */
export interface SoakOptions {
  minutes: number;
  /** Seed of the random choices (default: the clock), printed so a run can be repeated. */
  seed?: number;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
}

/** The promised bound on noticing a dead connection (RELIABILITY.md). */
export const DEAD_CONNECTION_BOUND_MS = 60_000;
/** The accounts' check interval: the shortest the settings offer. */
const CHECK_INTERVAL_MINUTES = 1;
const CHECK_INTERVAL_MS = CHECK_INTERVAL_MINUTES * 60_000;
/** Mail is late past the bound plus one check after it could have arrived (issue 15). */
const LATE_AFTER_MS = DEAD_CONNECTION_BOUND_MS + CHECK_INTERVAL_MS;
/** The oracle's limits for this soak's bound and check interval. */
export const SOAK_LIMITS: OracleLimits = {
  lateAfterMs: LATE_AFTER_MS,
  faultWindowMs: DEAD_CONNECTION_BOUND_MS,
};
/** After the faults stop: the bound, a check, and room for a retry's backoff on a loaded machine. */
const SETTLE_MS = LATE_AFTER_MS + 60_000;
/** How often the store is read to time arrivals. */
const POLL_MS = 1_000;
/** Blackholes last 30-120 s (issue 15); shorter runs cap them so every kind of fault fits. */
const BLACKHOLE_MS: [number, number] = [30_000, 120_000];
const ALL_FAULTS: readonly FaultKind[] = [
  'reset',
  'blackhole',
  'relay-kill',
  'dovecot-restart',
  'worker-stop',
  'mark-read',
  'delete',
  'move',
  'uidvalidity',
];
/** The run's storage.session key for what the worker records. */
const LOG_KEY = 'soakLog';

type WorkerRecord =
  | { kind: 'announce'; subjects: string[]; at: number }
  | { kind: 'notification'; id: string; at: number };

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Prepended to the worker's script in the soak's copy of the build, so it runs first in every
 * worker, the restarted ones too: announcements (every `onNewMail` of the engine, through the
 * worker's `biffNewMailWatchers`, from before the engine starts) and notification ids go to
 * storage.session.
 * The polyfill looks `notifications.create` up at its first use, after this replaced it.
 */
const RECORDER = `{
  const key = ${JSON.stringify(LOG_KEY)};
  let chain = Promise.resolve();
  const record = (entry) => {
    chain = chain
      .then(async () => {
        const log = (await chrome.storage.session.get(key))[key] ?? [];
        log.push(entry);
        await chrome.storage.session.set({ [key]: log });
      })
      .catch(() => undefined);
  };
  const create = chrome.notifications.create.bind(chrome.notifications);
  chrome.notifications.create = (...args) => {
    record({ kind: 'notification', id: String(args[0]), at: Date.now() });
    return create(...args);
  };
  // Read by the worker at every announcement (background/index.ts), start-up included.
  globalThis.biffNewMailWatchers = [
    (account, messages) =>
      record({ kind: 'announce', subjects: messages.map((m) => m.subject), at: Date.now() }),
  ];
}
`;

/** A copy of the built extension whose worker starts with RECORDER; removed by the caller. */
function instrumentedBuild(): string {
  const dir = mkdtempSync(join(tmpdir(), 'biff-soak-dist-'));
  cpSync(DIST_CHROME, dir, { recursive: true });
  const worker = join(dir, 'background.js');
  writeFileSync(worker, RECORDER + readFileSync(worker, 'utf8'));
  return dir;
}

/**
 * "Another client" straight to Dovecot, serialised (deliveries and the other client's changes
 * take turns), reopened after a restart dropped it.
 */
class OtherClient {
  private client: ImapFlow | null = null;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly open: () => Promise<ImapFlow>) {}

  use<T>(job: (client: ImapFlow) => Promise<T>): Promise<T> {
    const run = this.chain.then(async () => {
      for (let attempt = 1; ; attempt++) {
        try {
          if (!this.client?.usable) {
            this.client = await this.open();
            this.client.on('error', () => {});
          }
          return await job(this.client);
        } catch (error) {
          this.client?.close();
          this.client = null;
          if (attempt >= 30) throw error;
          await sleep(1_000);
        }
      }
    });
    this.chain = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    await this.chain;
    await this.client?.logout().catch(() => this.client?.close());
  }
}

/** Messages of `folder`: uid, subject, seen. */
async function listFolder(
  client: ImapFlow,
  folder: string,
): Promise<Array<{ uid: number; subject: string; seen: boolean }>> {
  const box = await client.mailboxOpen(folder);
  if (box.exists === 0) return [];
  const rows = await client.fetchAll('1:*', { uid: true, envelope: true, flags: true });
  return rows.map((r) => ({
    uid: r.uid,
    subject: r.envelope?.subject ?? '',
    seen: r.flags?.has('\\Seen') ?? false,
  }));
}

/** Runs the soak and judges it. */
export async function runSoak(
  options: SoakOptions,
): Promise<{ report: SoakReport; facts: SoakFacts; seed: number }> {
  const seed = options.seed ?? Date.now() % 2 ** 31;
  const rand = mulberry32(seed);
  const between = (lo: number, hi: number) => lo + rand() * (hi - lo);
  const log = options.log ?? (() => {});
  const runId = seed.toString(36);
  const durationMs = options.minutes * 60_000;
  // A short run still gets every kind of fault in: its blackholes are the shortest allowed.
  const blackholeMs: [number, number] = durationMs < 5 * 60_000 ? [30_000, 40_000] : BLACKHOLE_MS;

  const imapProxy = await FaultProxy.start();
  const pop3Proxy = await FaultProxy.start();
  const proxies = [imapProxy, pop3Proxy];
  const dist = instrumentedBuild();
  const world = await BrowserWorld.start({
    users: 2,
    extraPorts: [imapProxy.port, pop3Proxy.port],
    launch: { dist },
  });
  imapProxy.target = { host: world.dovecot.host, port: world.dovecot.ports.imaps };
  pop3Proxy.target = { host: world.dovecot.host, port: world.dovecot.ports.pop3s };
  const imapUser = world.newUser();
  const pop3User = world.newUser();
  const other = new OtherClient(() => imapClient(world.dovecot, imapUser, PASSWORD));
  const deliveries: Delivery[] = [];
  const bySubject = new Map<string, Delivery>();
  const faults: FaultRecord[] = [];
  const firstSeen: Record<string, number> = {};
  let page: Page | null = null;

  try {
    await other.use(async (c) => {
      await c.mailboxCreate('Work');
      await c.mailboxCreate('Archive');
    });

    const imap = world.accountFor(imapUser, 'imap', 'implicit', {
      name: 'Soak IMAP',
      port: imapProxy.port,
      checkIntervalMinutes: CHECK_INTERVAL_MINUTES,
      imap: { ...DEFAULT_IMAP, folders: ['INBOX', 'Work'] },
    });
    const pop3 = world.accountFor(pop3User, 'pop3', 'implicit', {
      name: 'Soak POP3',
      port: pop3Proxy.port,
      checkIntervalMinutes: CHECK_INTERVAL_MINUTES,
      pop3: { ...DEFAULT_POP3, leaveCopy: false },
    });
    await world.call('saveAccount', { account: imap, password: PASSWORD });
    await world.call('saveAccount', { account: pop3, password: PASSWORD });
    // Mail found by an account's first check is not new (it was there before Biff): the
    // deliveries start once both accounts had theirs and push is live.
    await world.until(
      'the first checks, and IMAP push live',
      async () => {
        const statuses = await world.engineStatus();
        const of = (id: string) => statuses.find((s) => s.accountId === id);
        return of(imap.id)?.push && of(imap.id)?.lastSuccess && of(pop3.id)?.lastSuccess ? true : undefined;
      },
      60_000,
    );

    // The page that reads storage.session; it never talks to the background.
    page = await world.ext.openPage('options.html');
    const readPage = page;
    const storedRows = async (): Promise<StoredRow[]> =>
      (await world.storedMessages()).map((r) => ({
        subject: r.subject,
        protocol: r.accountId === imap.id ? 'imap' : 'pop3',
        folder: r.folder,
        seen: r.seen,
        deletedLocally: r.deletedLocally,
      }));
    const workerLog = async () =>
      (await readPage.evaluate(async (key) => {
        const storage = (
          globalThis as unknown as {
            chrome: { storage: { session: { get(k: string): Promise<Record<string, unknown>> } } };
          }
        ).chrome.storage.session;
        return ((await storage.get(key))[key] as unknown[] | undefined) ?? [];
      }, LOG_KEY)) as WorkerRecord[];

    let polling = true;
    const poller = (async () => {
      while (polling) {
        try {
          const now = Date.now();
          for (const row of await storedRows()) if (!row.deletedLocally) firstSeen[row.subject] ??= now;
        } catch {
          // The page reloaded or the database is being upgraded: next round.
        }
        await sleep(POLL_MS);
      }
    })();

    const startedAt = Date.now();
    const until = startedAt + durationMs;
    let n = 0;
    let renumberedAt = Number.NEGATIVE_INFINITY;
    const deliver = async () => {
      n += 1;
      const roll = rand();
      const mailbox: Mailbox = roll < 0.45 ? 'INBOX' : roll < 0.65 ? 'Work' : 'POP3';
      const note = plainMessage(`Soak ${runId} #${n} ${mailbox}`, `Message ${n} of soak run ${runId}.`);
      if (mailbox === 'POP3') seedMaildir(world.dovecot, pop3User, [note.raw]);
      else await other.use((c) => c.append(mailbox, note.raw, []));
      const delivery: Delivery = { subject: note.subject, mailbox, deliveredAt: Date.now(), touched: [] };
      // Until Biff's next check of Work, its rebuild after a UIDVALIDITY change may be what
      // finds this message (see Delivery.touched).
      if (mailbox === 'Work' && delivery.deliveredAt - renumberedAt < LATE_AFTER_MS)
        delivery.touched.push('after-uidvalidity');
      deliveries.push(delivery);
      bySubject.set(delivery.subject, delivery);
    };
    const deliveryLoop = (async () => {
      while (Date.now() < until) {
        await deliver();
        await sleep(between(2_000, 10_000));
      }
    })();

    /** Picks a message of INBOX or Work on the server, or null when both are empty. */
    const pick = async (c: ImapFlow, folders: string[], unseenOnly = false) => {
      const all: Array<{ folder: string; uid: number; subject: string }> = [];
      for (const folder of folders)
        for (const m of await listFolder(c, folder))
          if (!unseenOnly || !m.seen) all.push({ folder, uid: m.uid, subject: m.subject });
      return all.length === 0 ? null : all[Math.floor(rand() * all.length)]!;
    };
    const touch = (subject: string, how: Delivery['touched'][number]) =>
      bySubject.get(subject)?.touched.push(how);

    const inject = async (kind: FaultKind): Promise<FaultRecord> => {
      const start = Date.now();
      let detail: string | undefined;
      switch (kind) {
        case 'reset':
          for (const p of proxies) p.reset();
          break;
        case 'blackhole': {
          const ms = Math.round(between(...blackholeMs));
          const which = rand() < 0.5 ? [imapProxy] : rand() < 0.5 ? [pop3Proxy] : proxies;
          const newConnections = rand() < 0.3;
          for (const p of which) p.blackhole(undefined, { newConnections });
          detail = `${which.map((p) => (p === imapProxy ? 'imap' : 'pop3')).join('+')} ${Math.round(ms / 1000)} s${newConnections ? ', new connections too' : ''}`;
          await sleepUnless(Math.min(ms, Math.max(0, until - Date.now())));
          for (const p of which) p.pass();
          break;
        }
        case 'relay-kill': {
          await world.relay.stop('SIGKILL');
          const down = between(2_000, 10_000);
          await sleep(down);
          await world.restartRelay();
          detail = `down ${(down / 1000).toFixed(1)} s`;
          break;
        }
        case 'dovecot-restart':
          await other.use(() => world.dovecot.restart());
          break;
        case 'worker-stop': {
          const blank = await world.ext.context.newPage();
          const cdp = await world.ext.context.newCDPSession(blank);
          await cdp.send('ServiceWorker.enable');
          await cdp.send('ServiceWorker.stopAllWorkers');
          await cdp.detach();
          await blank.close();
          break;
        }
        case 'mark-read':
          detail = await other.use(async (c) => {
            const m = await pick(c, ['INBOX', 'Work'], true);
            if (!m) return 'nothing unread';
            await c.mailboxOpen(m.folder);
            await c.messageFlagsAdd(String(m.uid), ['\\Seen'], { uid: true });
            touch(m.subject, 'read');
            return m.subject;
          });
          break;
        case 'delete':
          detail = await other.use(async (c) => {
            const m = await pick(c, ['INBOX', 'Work']);
            if (!m) return 'nothing to delete';
            await c.mailboxOpen(m.folder);
            await c.messageDelete(String(m.uid), { uid: true });
            touch(m.subject, 'deleted');
            return m.subject;
          });
          break;
        case 'move':
          detail = await other.use(async (c) => {
            const m = await pick(c, ['INBOX']);
            if (!m) return 'nothing to move';
            const to = rand() < 0.5 ? 'Work' : 'Archive';
            await c.mailboxOpen('INBOX');
            await c.messageMove(String(m.uid), to, { uid: true });
            touch(m.subject, to === 'Work' ? 'moved' : 'deleted');
            return `${m.subject} to ${to}`;
          });
          break;
        case 'uidvalidity':
          detail = await other.use(async (c) => {
            // Work is deleted and made again with the same messages: same mail, new UIDVALIDITY.
            const box = await c.mailboxOpen('Work');
            const rows =
              box.exists > 0 ? await c.fetchAll('1:*', { source: true, flags: true, envelope: true }) : [];
            await c.mailboxClose();
            await c.mailboxDelete('Work');
            await c.mailboxCreate('Work');
            for (const r of rows) {
              await c.append('Work', r.source!, [...(r.flags ?? [])]);
              touch(r.envelope?.subject ?? '', 'renumbered');
            }
            renumberedAt = Date.now();
            const status = await c.status('Work', { uidValidity: true });
            return `${rows.length} messages, UIDVALIDITY ${box.uidValidity} -> ${status ? status.uidValidity : '?'}`;
          });
          break;
      }
      return { kind, start, end: Date.now(), detail };
    };
    let stopping = false;
    let wakeFaults: (() => void) | null = null;
    /** Sleeps, but not past the end of the run. */
    function sleepUnless(ms: number): Promise<void> {
      return new Promise((resolve) => {
        const timer = setTimeout(resolve, ms);
        wakeFaults = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    const faultLoop = (async () => {
      let deck: FaultKind[] = [];
      while (!stopping && Date.now() < until) {
        await sleepUnless(between(3_000, 12_000));
        if (stopping || Date.now() >= until) break;
        // Every kind once before any twice: a short run still meets each of them.
        if (deck.length === 0) deck = [...ALL_FAULTS].sort(() => rand() - 0.5);
        const kind = deck.pop()!;
        try {
          const record = await inject(kind);
          faults.push(record);
          log(`${new Date(record.start).toISOString()} ${kind}${record.detail ? ` (${record.detail})` : ''}`);
        } catch (error) {
          log(`${kind} could not be injected: ${(error as Error).message}`);
        }
      }
    })();

    await deliveryLoop;
    stopping = true;
    (wakeFaults as (() => void) | null)?.();
    await faultLoop;
    for (const p of proxies) p.pass();
    if (world.relay.proc.exitCode !== null || world.relay.proc.signalCode !== null)
      await world.restartRelay();
    const quietFrom = Date.now();
    log(
      `faults stopped after ${((quietFrom - startedAt) / 60_000).toFixed(1)} min; waiting, pressing nothing`,
    );

    // Nothing is pressed: the product must get there by itself, push or its own checks.
    const settled = async () => {
      const server = await serverState();
      const onServer = new Set(server.map((m) => m.subject));
      return deliveries.every((d) =>
        d.mailbox === 'POP3' || onServer.has(d.subject) ? firstSeen[d.subject] !== undefined : true,
      );
    };
    const serverState = () =>
      other.use(async (c) => {
        const out: ServerMessage[] = [];
        for (const folder of ['INBOX', 'Work'] as const)
          for (const m of await listFolder(c, folder)) out.push({ subject: m.subject, folder, seen: m.seen });
        return out;
      });
    while (Date.now() - quietFrom < SETTLE_MS && !(await settled())) await sleep(2_000);
    // Let the last check's counts reach the badge.
    await sleep(5_000);

    // A reconnect after everything arrived must announce nothing again.
    const before = (await workerLog()).length;
    for (const p of proxies) p.reset();
    await world.until(
      'IMAP push to be live after the last reset',
      async () =>
        (await world.engineStatus()).find((s) => s.accountId === imap.id)?.push ? true : undefined,
      DEAD_CONNECTION_BOUND_MS,
    );
    await world.fireCheckAlarm(pop3.id);
    await sleep(10_000);

    polling = false;
    await poller;
    const records = await workerLog();
    const announcedBefore = new Set(
      records.slice(0, before).flatMap((r) => (r.kind === 'announce' ? r.subjects : [])),
    );
    const facts: SoakFacts = {
      startedAt,
      endedAt: Date.now(),
      deliveries,
      faults,
      firstSeen,
      server: await serverState(),
      pop3Maildrop: maildropCount(world.dovecot.maildir(pop3User)),
      stored: await storedRows(),
      announced: records.flatMap((r) => (r.kind === 'announce' ? r.subjects : [])),
      notificationIds: records.flatMap((r) => (r.kind === 'notification' ? [r.id] : [])),
      badge: await world.badgeText(),
      badgeTitle: await world.badgeTitle(),
      announcedAfterReconnect: records
        .slice(before)
        .flatMap((r) => (r.kind === 'announce' ? r.subjects : []))
        .filter((s) => announcedBefore.has(s)),
    };
    return {
      report: judge(facts, SOAK_LIMITS),
      facts,
      seed,
    };
  } finally {
    await page?.close().catch(() => undefined);
    await other.close().catch(() => undefined);
    await world.stop();
    for (const p of proxies) await p.stop();
    rmSync(dist, { recursive: true, force: true });
  }
}

/** Messages in a Maildir's INBOX (new/ and cur/). */
function maildropCount(root: string): number {
  let n = 0;
  for (const sub of ['new', 'cur']) {
    try {
      n += readdirSync(join(root, sub)).length;
    } catch {
      // Not made yet: nothing delivered.
    }
  }
  return n;
}
