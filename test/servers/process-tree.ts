// Reads the process table from /proc so stop() can tell when a server is really gone. A killed
// process stays in the table as a zombie until its parent reaps it, and on these machines PID 1
// does not always reap orphans, so "kill -0 succeeds" does not mean "still running".
import { readdirSync, readFileSync } from 'node:fs';

interface ProcStat {
  pid: number;
  ppid: number;
  /** Process group: a detached child leads its own, and its children stay in it. */
  pgrp: number;
  /** One letter: R running, S sleeping, Z zombie, X dead… (proc(5)). */
  state: string;
}

function readStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name is in parentheses and may itself contain spaces or ')'.
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const state = rest[0];
  const ppid = Number(rest[1]);
  const pgrp = Number(rest[2]);
  if (state === undefined || !Number.isInteger(ppid) || !Number.isInteger(pgrp)) return undefined;
  return { pid, ppid, pgrp, state };
}

/** True when the process no longer runs: absent from /proc, or a zombie/dead entry. */
export function isGone(pid: number): boolean {
  const stat = readStat(pid);
  return stat === undefined || stat.state === 'Z' || stat.state === 'X';
}

function liveProcesses(): ProcStat[] {
  const out: ProcStat[] = [];
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    const stat = readStat(pid);
    if (stat !== undefined && stat.state !== 'Z' && stat.state !== 'X') out.push(stat);
  }
  return out;
}

/** Every live process in process group `pgid` (orphans included, whoever their parent now is). */
export function groupMembers(pgid: number): number[] {
  return liveProcesses()
    .filter((p) => p.pgrp === pgid)
    .map((p) => p.pid);
}

/** Every live process below `root`, found by a scan of /proc. */
export function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const stat of liveProcesses()) {
    const list = children.get(stat.ppid) ?? [];
    list.push(stat.pid);
    children.set(stat.ppid, list);
  }
  const out: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const next = queue.shift()!;
    for (const child of children.get(next) ?? []) {
      out.push(child);
      queue.push(child);
    }
  }
  return out;
}

/** Sends a signal (to a whole group when `pid` is negative), ignoring processes already gone. */
export function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // ESRCH: already gone.
  }
}

/** Resolves true once every pid is gone, false if `timeoutMs` passed first. */
export async function waitGone(pids: readonly number[], timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (pids.every(isGone)) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * Every live process whose command line contains `needle`: how a test finds a process that was
 * started detached on its behalf (the relay the native host starts), which it has no handle to.
 */
export function processesMentioning(needle: string): number[] {
  return liveProcesses()
    .map((p) => p.pid)
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(needle);
      } catch {
        return false; // gone meanwhile
      }
    });
}
