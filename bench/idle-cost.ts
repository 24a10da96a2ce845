/**
 * `npx tsx bench/idle-cost.ts --browser firefox|chromium [--minutes 10] [--no-keep-alive]`:
 * what Biff costs per hour while nothing happens — an IMAP account with its push connection
 * open, no mail arriving. After the account is set up and a minute of settling, it measures
 * for `--minutes` the CPU time of the browser's main process and of all its processes (from
 * /proc, utime+stime of the live processes plus what exited children left in their parents'
 * cutime/cstime) and their threads' context switches (a proxy for wake-ups), and extrapolates to
 * an hour. `--no-keep-alive` builds Firefox's extension without background/keep-alive.ts (the
 * background then unloads after 30 s idle and push ends with it), the baseline for its cost.
 * Firefox runs with its default idle timeout (30 s). Not part of `npm run bench`: it takes
 * minutes by design. Results: BENCHMARKS.md, "Idle cost per hour".
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { BrowserName } from '../test/browser/driver.ts';
import type { FirefoxDriver } from '../test/browser/firefox.ts';
import { BrowserWorld } from '../test/browser/world.ts';
import { makeMailbox } from '../test/servers/messages.ts';
import { seedMaildir } from '../test/servers/seed.ts';
import { PASSWORD } from '../test/support/server-world.ts';

const CLK_TCK = 100;
const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(name);
const value = (name: string, fallback: string) => {
  const i = argv.indexOf(name);
  return i >= 0 && argv[i + 1] ? argv[i + 1]! : fallback;
};
const browser = value('--browser', 'firefox') as BrowserName;
const minutes = Number(value('--minutes', '10'));
const noKeepAlive = flag('--no-keep-alive');
const SETTLE_MS = 60_000;

interface Sample {
  mainCpuMs: number;
  allCpuMs: number;
  switches: number;
  processes: number;
}

function stat(pid: number): { ppid: number; cpuMs: number; selfMs: number } | null {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    const self = Number(f[11]) + Number(f[12]);
    const children = Number(f[13]) + Number(f[14]);
    return {
      ppid: Number(f[1]),
      selfMs: (self * 1000) / CLK_TCK,
      cpuMs: ((self + children) * 1000) / CLK_TCK,
    };
  } catch {
    return null;
  }
}

function switches(pid: number): number {
  let n = 0;
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const status = readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8');
      for (const m of status.matchAll(/^(?:non)?voluntary_ctxt_switches:\s+(\d+)$/gm)) n += Number(m[1]);
    }
  } catch {
    // the process ended meanwhile
  }
  return n;
}

function sample(mainPid: number): Sample {
  const all = new Map<number, { ppid: number; cpuMs: number; selfMs: number }>();
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    const s = stat(pid);
    if (s) all.set(pid, s);
  }
  const tree = new Set([mainPid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, s] of all)
      if (!tree.has(pid) && tree.has(s.ppid)) {
        tree.add(pid);
        grew = true;
      }
  }
  let allCpuMs = 0;
  let sw = 0;
  for (const pid of tree) {
    allCpuMs += pid === mainPid ? (all.get(pid)?.cpuMs ?? 0) : (all.get(pid)?.selfMs ?? 0);
    sw += switches(pid);
  }
  return { mainCpuMs: all.get(mainPid)?.selfMs ?? 0, allCpuMs, switches: sw, processes: tree.size };
}

function chromiumMain(profile: string): number {
  const out = execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' });
  for (const line of out.split('\n')) {
    if (line.includes(profile) && !line.includes('--type=')) return Number(line.trim().split(' ')[0]);
  }
  throw new Error('no Chromium browser process');
}

const dist = resolve(
  import.meta.dirname,
  '../.tmp/idle-cost-dist',
  `${browser}-${noKeepAlive ? 'off' : 'on'}`,
);
execFileSync('npx', ['tsx', 'scripts/build.ts', '--out', dist, ...(noKeepAlive ? ['--no-keep-alive'] : [])], {
  cwd: resolve(import.meta.dirname, '..'),
  stdio: 'ignore',
});
const world = await BrowserWorld.start({
  users: 1,
  browser,
  launch: { dist: join(dist, 'chrome') },
  firefox: { dist: join(dist, 'firefox') },
});
try {
  const user = world.newUser();
  seedMaildir(world.dovecot, user, makeMailbox(20, { seed: 51, size: 'small' }));
  const account = { ...world.accountFor(user, 'imap'), name: 'Work' };
  await world.call('saveAccount', { account, password: PASSWORD });
  await world.until('push to be live', async () =>
    (await world.engineStatus()).some((s) => s.push) ? true : undefined,
  );
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  const mainPid =
    browser === 'firefox'
      ? ((world.driver as FirefoxDriver).puppeteer.process()?.pid ?? 0)
      : chromiumMain(world.ext.profile);
  const before = sample(mainPid);
  const started = Date.now();
  const states = new Map<string, number>();
  while (Date.now() - started < minutes * 60_000) {
    await new Promise((r) => setTimeout(r, 10_000));
    if (browser === 'firefox') {
      const state = await (world.driver as FirefoxDriver).backgroundState();
      states.set(state, (states.get(state) ?? 0) + 1);
    }
  }
  const after = sample(mainPid);
  const hours = (Date.now() - started) / 3_600_000;
  const perHour = (x: number) => (x / hours).toFixed(0);
  console.log(
    JSON.stringify({
      browser,
      keepAlive: !noKeepAlive,
      minutes: +(hours * 60).toFixed(1),
      mainCpuMsPerHour: perHour(after.mainCpuMs - before.mainCpuMs),
      allCpuMsPerHour: perHour(after.allCpuMs - before.allCpuMs),
      contextSwitchesPerHour: perHour(after.switches - before.switches),
      processes: after.processes,
      backgroundStates: Object.fromEntries(states),
    }),
  );
} finally {
  await world.stop();
}
