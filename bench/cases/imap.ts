/**
 * imap-initial, imap-resync-idle, imap-resync-changes and sw-memory, on one IMAP folder of
 * `size` realistic messages written straight into Dovecot's Maildir.
 *
 * - imap-initial: `engine.sync()` of a fresh account (new id, nothing cached; the previous run's
 *   account is removed and purged first) with a sync window covering the whole folder, timed in
 *   the service worker until it resolves, i.e. until every summary is committed to IndexedDB.
 *   Baseline: imapflow in Node over a direct TLS connection to the same server (the relay also
 *   speaks TLS to it) that logs in, SELECTs and fetches what the engine's FETCHes ask for,
 *   storing nothing: the server's previews (`UID FETCH 1:* (UID PREVIEW)`, RFC 8970, as the
 *   engine does where the server offers them, as Dovecot does) and then a stream of
 *   `FETCH 1:*` SUMMARY_QUERY; without PREVIEW, SUMMARY_QUERY plus the first bytes of part 1.
 *   Both negotiate COMPRESS=DEFLATE as imapflow does by default. Baseline and engine runs
 *   alternate so that load from other processes hits both alike.
 * - imap-resync-idle: `engine.sync()` of that account with nothing changed on the server.
 * - imap-resync-changes: 100 new messages (Maildir), 100 flagged and 100 expunged by another
 *   client, then one timed `engine.sync()`.
 * - sw-memory: the worker's JS heap (after two forced GCs) right after each imap-initial run.
 */
import { ImapFlow } from 'imapflow';
import { PREVIEW_FETCH_BYTES } from '../../extension/mail/imap/preview.ts';
import { fetchServerPreviews } from '../../extension/mail/imap/server-preview.ts';
import { SUMMARY_QUERY } from '../../extension/mail/imap/summary.ts';
import { imapClient } from '../../test/servers/imap-client.ts';
import { makeMailbox } from '../../test/servers/messages.ts';
import { seedMaildir } from '../../test/servers/seed.ts';
import { PASSWORD } from '../../test/support/server-world.ts';
import { type CaseResult, limitResult, ratioResult } from '../results.ts';
import { seedMixed } from '../seed.ts';
import { type Repetitions, repeat, summarize } from '../stats.ts';
import type { BenchWorld } from '../world.ts';

/** The sizes the IMAP cases use. */
export interface ImapSizes {
  /** Messages in the folder (and the sync window). */
  folder: number;
  /** New, flagged and expunged messages per imap-resync-changes run. */
  changes: number;
}

/** What the fetch of the baseline asks for where the server makes no previews: the engine's metadata FETCH then. */
const BASELINE_QUERY_NO_PREVIEW = {
  ...SUMMARY_QUERY,
  bodyParts: [{ key: '1', start: 0, maxLength: PREVIEW_FETCH_BYTES['text/plain'] }],
};

/** Fills `user`'s INBOX: realistic mixed mail, two in three read. */
export function seedFolder(world: BenchWorld, user: string, count: number, seed: number): string {
  return seedMixed(world, user, count, seed, (mail) => ({
    seen: mail.map((_, i) => i % 3 !== 0),
    dates: mail.map((m) => m.date),
  })).line;
}

/** The baseline: a direct imapflow session fetching the same fields; returns ms and the count. */
async function baselineFetch(
  world: BenchWorld,
  user: string,
  size: number,
): Promise<{ ms: number; count: number; previews: number }> {
  const started = performance.now();
  const client = new ImapFlow({
    host: world.dovecot.host,
    port: world.dovecot.ports.imaps,
    secure: true,
    servername: 'localhost',
    tls: { ca: [world.dovecot.certPem] },
    auth: { user, pass: PASSWORD },
    logger: false,
    disableAutoIdle: true,
  });
  await client.connect();
  let count = 0;
  let previews = 0;
  const lock = await client.getMailboxLock('INBOX');
  try {
    const made = client.capabilities.has('PREVIEW')
      ? await fetchServerPreviews(
          client,
          Array.from({ length: size }, (_, i) => i + 1),
        )
      : null;
    previews = made?.size ?? 0;
    for await (const message of client.fetch('1:*', made ? SUMMARY_QUERY : BASELINE_QUERY_NO_PREVIEW)) {
      if (message.uid > 0) count++;
    }
  } finally {
    lock.release();
  }
  await client.logout();
  return { ms: performance.now() - started, count, previews };
}

/** Runs the four cases; leaves the last account (the full cache) in place for popup-open. */
export async function imapCases(
  world: BenchWorld,
  sizes: ImapSizes,
  reps: Repetitions,
  log: (line: string) => void,
): Promise<{ results: CaseResult[]; accountId: string; user: string }> {
  const user = world.newUser();
  log(`  ${seedFolder(world, user, sizes.folder, 7)}`);

  // Initial sync: baseline and engine alternate, each run on a fresh account.
  const baseline: number[] = [];
  const heaps: number[] = [];
  let accountId = '';
  log('  imap-initial (engine) and its baseline (imapflow in Node), alternating:');
  const initial = await repeat(
    reps,
    async (i) => {
      const { result: base, cpu: baseCpu } = await world.withCpu(() =>
        baselineFetch(world, user, sizes.folder),
      );
      if (base.count !== sizes.folder) throw new Error(`baseline fetched ${base.count} of ${sizes.folder}`);
      if (base.previews !== 0 && base.previews !== sizes.folder)
        throw new Error(`baseline fetched ${base.previews} previews of ${sizes.folder}`);
      if (i >= 0) baseline.push(base.ms);
      if (accountId) await world.removeAccount(accountId);
      const account = world.imapAccount(user, sizes.folder);
      await world.addAccount(account);
      accountId = account.id;
      const { result: ms, cpu } = await world.withCpu(() =>
        world.profiled('imap-initial', i, () => world.timedSync(account.id)),
      );
      const cached = await world.cachedCount(account.id);
      if (cached !== sizes.folder) throw new Error(`engine cached ${cached} of ${sizes.folder}`);
      const heap = await world.workerHeap();
      if (i >= 0) heaps.push(heap / 1024 ** 2);
      log(`    baseline ${base.ms.toFixed(0)} ms; CPU ms: ${baseCpu}`);
      log(`    engine CPU ms: ${cpu}; worker heap ${(heap / 1024 ** 2).toFixed(1)} MB`);
      return ms;
    },
    log,
  );
  const initialSummary = summarize(initial);
  const results: CaseResult[] = [
    ratioResult('imap-initial', 'ms', initialSummary, summarize(baseline), 1.5),
    limitResult('sw-memory', 'MB', summarize(heaps), 40),
  ];

  log('  imap-resync-idle:');
  const idle = await repeat(
    reps,
    (i) => world.profiled('imap-resync-idle', i, () => world.timedSync(accountId)),
    log,
  );
  results.push(
    ratioResult('imap-resync-idle', 'ms', summarize(idle), initialSummary, 0.02, '≤ 2 % of imap-initial'),
  );

  log(`  imap-resync-changes (${sizes.changes} new, ${sizes.changes} flagged, ${sizes.changes} expunged):`);
  let seed = 100;
  const changes = await repeat(
    reps,
    async (i) => {
      await changeFolder(world, user, sizes.changes, seed++);
      const ms = await world.profiled('imap-resync-changes', i, () => world.timedSync(accountId));
      const cached = await world.cachedCount(accountId);
      if (cached !== sizes.folder)
        throw new Error(`after changes the engine caches ${cached}, not ${sizes.folder}`);
      return ms;
    },
    log,
  );
  results.push(
    ratioResult(
      'imap-resync-changes',
      'ms',
      summarize(changes),
      initialSummary,
      0.1,
      '≤ 10 % of imap-initial',
    ),
  );
  return { results, accountId, user };
}

/** `n` new messages, `n` others flagged and `n` others expunged, by "another client". */
async function changeFolder(world: BenchWorld, user: string, n: number, seed: number): Promise<void> {
  const other = await imapClient(world.dovecot, user, PASSWORD);
  try {
    const lock = await other.getMailboxLock('INBOX');
    try {
      const uids = (await other.search({ all: true }, { uid: true })) || [];
      // Spread over the folder, different messages each run: every 7th from an offset.
      const pick = (offset: number) =>
        Array.from({ length: n }, (_, i) => uids[(offset + i * 7) % uids.length]!).filter(
          (uid, i, all) => all.indexOf(uid) === i,
        );
      const flagged = pick(seed * 13);
      const expunged = pick(seed * 13 + 3).filter((uid) => !flagged.includes(uid));
      await other.messageFlagsAdd({ uid: flagged.join(',') }, ['\\Flagged'], { uid: true });
      await other.messageDelete({ uid: expunged.join(',') }, { uid: true });
      seedMaildir(world.dovecot, user, makeMailbox(n, { size: 'mixed', seed }));
      // Keep the folder at its size: as many new as expunged.
      const extra = n - expunged.length;
      if (extra > 0) {
        const more = (await other.search({ all: true }, { uid: true })) || [];
        await other.messageDelete({ uid: more.slice(0, extra).join(',') }, { uid: true });
      }
    } finally {
      lock.release();
    }
  } finally {
    await other.logout();
  }
}
