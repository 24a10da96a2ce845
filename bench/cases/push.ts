/**
 * push-latency: an enabled IMAP account whose push connection (IDLE through the relay) is up;
 * another client APPENDs an unread message, and the time from just before the APPEND until the
 * worker sets the new badge text is taken from the worker's clock (`performance.timeOrigin +
 * performance.now()`, the same wall clock as Node's). Baseline: Dovecot's own IDLE notification
 * (untagged EXISTS) to a plain imapflow client idling on the same INBOX over a direct TLS
 * connection, for the same APPEND. Dovecot batches IDLE notifications (~0.5 s), separately for
 * each session, so both include that wait; and since a notify timer started by unrelated index
 * activity (the engine's own sync, say) shortens the next one, both clients start each round in
 * a fresh IDLE: the push connection re-enters IDLE after its sync, the plain client after a NOOP,
 * and the APPEND comes 300 ms after both.
 */

import { imapClient } from '../../test/servers/imap-client.ts';
import { makeMailbox, makeMessage } from '../../test/servers/messages.ts';
import { seedMaildir } from '../../test/servers/seed.ts';
import { PASSWORD } from '../../test/support/server-world.ts';
import { type CaseResult, ratioResult } from '../results.ts';
import { type Repetitions, repeat, summarize } from '../stats.ts';
import type { BenchWorld, WorkerGlobals } from '../world.ts';

/**
 * Installed in the worker: records every badge text set, with the time. A string, so that no
 * transform helper ends up in code that runs in the worker.
 */
const BADGE_RECORDER = `(() => {
  if (globalThis.__badgeLog) return true;
  globalThis.__badgeLog = [];
  const set = chrome.action.setBadgeText.bind(chrome.action);
  chrome.action.setBadgeText = (details, ...rest) => {
    globalThis.__badgeLog.push({ text: details.text, at: performance.timeOrigin + performance.now() });
    return set(details, ...rest);
  };
  return true;
})()`;

const now = () => performance.timeOrigin + performance.now();

async function waitFor<T>(
  what: string,
  probe: () => Promise<T | null> | T | null,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`push-latency: no ${what} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Runs push-latency against its baseline. */
export async function pushCase(
  world: BenchWorld,
  reps: Repetitions,
  log: (line: string) => void,
): Promise<CaseResult> {
  const user = world.newUser();
  const mail = makeMailbox(10, { size: 'small', seed: 11 });
  seedMaildir(world.dovecot, user, mail, { seen: mail.map((_, i) => i % 2 === 0) });
  const account = { ...world.imapAccount(user, 1000, true), notify: true };
  await world.addAccount(account);
  const worker = world.world.ext.worker;
  await waitFor('push connection', () =>
    worker.evaluate(async (id) => {
      const { engine } = await (globalThis as unknown as WorkerGlobals).biff.ready;
      return engine.status().accounts.find((s) => s.accountId === id)?.push ? true : null;
    }, account.id),
  );
  await worker.evaluate(BADGE_RECORDER);
  const other = await imapClient(world.dovecot, user, PASSWORD);
  const watcher = await imapClient(world.dovecot, user, PASSWORD);
  await watcher.mailboxOpen('INBOX');
  let sawExists = 0;
  watcher.on('exists', () => {
    sawExists = now();
  });
  const baseline: number[] = [];
  let seq = 0;
  try {
    log('  push-latency (APPEND → badge; baseline APPEND → EXISTS to a plain IDLE client):');
    const samples = await repeat(
      reps,
      async (i) => {
        // A fresh IDLE on the plain client too (NOOP ends the previous one), then both settle.
        await watcher.noop();
        void watcher.idle();
        await new Promise((r) => setTimeout(r, 300));
        const seen = await worker.evaluate('globalThis.__badgeLog.length');
        const message = makeMessage(100 + seq++, { size: 'small', seed: 11 });
        sawExists = 0;
        const sent = now();
        await other.append('INBOX', message.raw, [], message.date);
        const badge = await waitFor('badge change', async () => {
          const log = (await worker.evaluate('globalThis.__badgeLog')) as Array<{ text: string; at: number }>;
          const change = log
            .slice(Number(seen))
            .find((e, k, all) => e.text !== (all[k - 1] ?? log[Number(seen) - 1])?.text);
          return change ?? null;
        });
        const exists = await waitFor('EXISTS', () => (sawExists > 0 ? sawExists : null));
        if (i >= 0) baseline.push(exists - sent);
        log(`    badge "${badge.text}"; plain IDLE client ${(exists - sent).toFixed(0)} ms`);
        // Let the push connection finish its sync and go back to IDLE.
        await new Promise((r) => setTimeout(r, 300));
        return badge.at - sent;
      },
      log,
    );
    return ratioResult('push-latency', 'ms', summarize(samples), summarize(baseline), 1.2);
  } finally {
    await other.logout().catch(() => other.close());
    await watcher.logout().catch(() => watcher.close());
    await world.removeAccount(account.id);
  }
}
