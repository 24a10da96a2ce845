/**
 * CPU time per process group during a case, from /proc: which of Dovecot, the relay, the
 * benchmark's own Node process and Chromium's processes (browser, the extension's renderer,
 * network service, …) did the work. Time of processes that exited meanwhile (Dovecot's imap
 * processes end with each LOGOUT) is in their parent's cutime/cstime, which is counted too.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat (Linux: 100). */
const CLK_TCK = 100;

interface Proc {
  pid: number;
  ppid: number;
  pgrp: number;
  /** utime + stime + cutime + cstime, in ms. */
  cpuMs: number;
  cmdline: string;
}

function readProc(pid: number): Proc | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
    return { pid, ppid: Number(f[1]), pgrp: Number(f[2]), cpuMs: (ticks * 1000) / CLK_TCK, cmdline };
  } catch {
    return undefined;
  }
}

function processes(): Proc[] {
  const out: Proc[] = [];
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    const proc = readProc(pid);
    if (proc) out.push(proc);
  }
  return out;
}

/** Which processes make up each group. */
export interface CpuGroups {
  dovecotPgrp: number;
  relayPid: number;
  /** Chromium's profile folder, which every one of its processes names on its command line. */
  chromiumProfile: string;
}

/** CPU ms so far per group label. */
export function cpuSnapshot(groups: CpuGroups): Map<string, number> {
  const all = processes();
  const totals = new Map<string, number>();
  const add = (label: string, ms: number) => totals.set(label, (totals.get(label) ?? 0) + ms);
  // Chromium: our browser process (it alone names the profile without a --type) and everything below it.
  const browser = all.find(
    (p) => p.cmdline.includes(groups.chromiumProfile) && !p.cmdline.includes('--type='),
  );
  const chromium = new Set<number>();
  if (browser) {
    chromium.add(browser.pid);
    for (let grew = true; grew; ) {
      grew = false;
      for (const p of all)
        if (!chromium.has(p.pid) && chromium.has(p.ppid)) {
          chromium.add(p.pid);
          grew = true;
        }
    }
  }
  for (const p of all) {
    if (p.pgrp === groups.dovecotPgrp) add('dovecot', p.cpuMs);
    else if (p.pid === groups.relayPid) add('relay', p.cpuMs);
    else if (chromium.has(p.pid)) {
      const type = /--type=(\S+)/.exec(p.cmdline)?.[1];
      const sub = /--utility-sub-type=(\S+)/.exec(p.cmdline)?.[1];
      const label =
        type === undefined
          ? 'chromium browser'
          : type === 'utility'
            ? `chromium ${sub?.split('.').at(-2) ?? 'utility'}`
            : `chromium ${type}`;
      add(label, p.cpuMs);
    }
  }
  const self = process.cpuUsage();
  add('bench (node)', (self.user + self.system) / 1000);
  return totals;
}

/** The difference of two snapshots, largest first, as one line. */
export function cpuDelta(before: Map<string, number>, after: Map<string, number>): string {
  const rows = [...after]
    .map(([label, ms]) => [label, ms - (before.get(label) ?? 0)] as const)
    .filter(([, ms]) => ms >= 10)
    .sort((a, b) => b[1] - a[1]);
  return rows.map(([label, ms]) => `${label} ${ms.toFixed(0)}`).join(', ');
}
