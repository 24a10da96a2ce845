/**
 * pop3-download: `engine.sync()` of a fresh POP3 account (nothing known, leave mail on the
 * server) over a maildrop of `count` realistic messages (mixed sizes, ~20 KB mean), timed in
 * the service worker until every message is downloaded, parsed and stored with its body, and
 * the session has ended (QUIT). Each run uses a new account id; the previous one is removed and
 * purged first.
 * Baseline: a minimal POP3 client in Node over a direct TLS connection to the same server
 * (the relay also speaks TLS to it): USER/PASS, UIDL, then every RETR written at once
 * (PIPELINING, RFC 2449 §6.6) and their replies read to the end, QUIT; nothing is parsed or
 * stored. Baseline and engine runs alternate.
 */
import { connect } from 'node:tls';
import { PASSWORD } from '../../test/support/server-world.ts';
import { type CaseResult, ratioResult } from '../results.ts';
import { seedMixed } from '../seed.ts';
import { type Repetitions, repeat, summarize } from '../stats.ts';
import type { BenchWorld } from '../world.ts';

const END = Buffer.from('\r\n.\r\n');

/** Downloads the whole maildrop of `user` with pipelined RETRs; returns ms and the bytes read. */
async function baselineDownload(
  world: BenchWorld,
  user: string,
  count: number,
): Promise<{ ms: number; bytes: number }> {
  const started = performance.now();
  const socket = connect({
    host: world.dovecot.host,
    port: world.dovecot.ports.pop3s,
    servername: 'localhost',
    ca: [world.dovecot.certPem],
  });
  let buffered: Buffer = Buffer.alloc(0);
  let bytes = 0;
  let waiter: (() => void) | null = null;
  socket.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    waiter?.();
  });
  const failed = new Promise<never>((_, reject) => socket.once('error', reject));
  /** Waits for `n` replies: single-line ones end at CRLF, multi-line ones at CRLF.CRLF. */
  const replies = async (n: number, multiline: boolean) => {
    let done = 0;
    while (done < n) {
      const end = multiline ? buffered.indexOf(END) : buffered.indexOf('\r\n');
      if (end >= 0) {
        if (buffered[0] !== 0x2b) throw new Error(`POP3: ${buffered.subarray(0, 80).toString()}`);
        buffered = buffered.subarray(end + (multiline ? END.length : 2));
        done++;
        continue;
      }
      await Promise.race([new Promise<void>((resolve) => (waiter = resolve)), failed]);
      waiter = null;
    }
  };
  await replies(1, false);
  socket.write(`USER ${user}\r\nPASS ${PASSWORD}\r\n`);
  await replies(2, false);
  socket.write('UIDL\r\n');
  await replies(1, true);
  socket.write(Array.from({ length: count }, (_, i) => `RETR ${i + 1}\r\n`).join(''));
  await replies(count, true);
  socket.write('QUIT\r\n');
  await replies(1, false);
  socket.end();
  return { ms: performance.now() - started, bytes };
}

/** Runs pop3-download against its baseline. */
export async function pop3Case(
  world: BenchWorld,
  count: number,
  reps: Repetitions,
  log: (line: string) => void,
): Promise<CaseResult> {
  const user = world.newUser();
  const { line, bytes: total } = seedMixed(world, user, count, 3);
  log(`  ${line}`);
  const baseline: number[] = [];
  let accountId = '';
  const samples = await repeat(
    reps,
    async (i) => {
      const { result: base, cpu: baseCpu } = await world.withCpu(() => baselineDownload(world, user, count));
      if (base.bytes < total)
        throw new Error(`baseline read ${base.bytes} bytes, less than the ${total} seeded`);
      if (i >= 0) baseline.push(base.ms);
      if (accountId) await world.removeAccount(accountId);
      const account = world.pop3Account(user);
      await world.addAccount(account);
      accountId = account.id;
      const { result: ms, cpu } = await world.withCpu(() =>
        world.profiled('pop3-download', i, () => world.timedSync(account.id)),
      );
      const stored = await world.cachedCount(account.id);
      if (stored !== count) throw new Error(`engine stored ${stored} of ${count}`);
      log(`    baseline ${base.ms.toFixed(0)} ms; CPU ms: ${baseCpu}`);
      log(`    engine CPU ms: ${cpu}`);
      return ms;
    },
    log,
  );
  await world.removeAccount(accountId);
  return ratioResult('pop3-download', 'ms', summarize(samples), summarize(baseline), 1.5);
}
