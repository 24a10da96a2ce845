/**
 * Reading CPU profiles (`.cpuprofile`, from the CDP Profiler domain or Node's `--cpu-prof`):
 * self time by function and by module, where a module is the file esbuild's unminified bundle
 * names in its `// path/to/file.js` comments, or the script URL for anything else.
 */
import { readFileSync } from 'node:fs';
import type { CpuProfile } from './cdp.ts';

/**
 * Maps a line of an unminified esbuild bundle to the source file it came from. esbuild names files
 * relative to the directory it ran in, so a bundle built elsewhere (the relay's cached bundle)
 * has `../../x/node_modules/…` comments: such a prefix is skipped.
 */
export function bundleModules(bundlePath: string): (line: number) => string {
  const starts: Array<{ line: number; module: string }> = [];
  readFileSync(bundlePath, 'utf8')
    .split('\n')
    .forEach((text, line) => {
      const match =
        /^\/\/ (?:(?:\.\.\/)+(?:[^\s:]*?\/)?)?((?:node_modules|extension|background|relay|popup|options)\/\S+)$/.exec(
          text,
        );
      if (match)
        starts.push({ line, module: match[1]!.replace(/^node_modules\/((?:@[^/]+\/)?[^/]+)\/.*/, '$1') });
    });
  return (line) => {
    let lo = 0;
    let hi = starts.length - 1;
    let found = '(bundle)';
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid]!.line <= line) {
        found = starts[mid]!.module;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  };
}

/** Self time of the hottest functions and modules, as text lines. */
export function summarizeProfile(
  profile: CpuProfile,
  moduleOf: (url: string, line: number) => string,
  top = 15,
): string[] {
  const byNode = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) {
    byNode.set(samples[i]!, (byNode.get(samples[i]!) ?? 0) + (deltas[i] ?? 0));
  }
  const total = (profile.endTime - profile.startTime) / 1000;
  const fns = new Map<string, number>();
  const modules = new Map<string, number>();
  for (const node of profile.nodes) {
    const us = byNode.get(node.id) ?? 0;
    if (us === 0) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const module = url ? moduleOf(url, lineNumber) : functionName || '(native)';
    const fn = `${functionName || '(anonymous)'}  [${module}]`;
    fns.set(fn, (fns.get(fn) ?? 0) + us / 1000);
    modules.set(module, (modules.get(module) ?? 0) + us / 1000);
  }
  const lines = [`profile: ${total.toFixed(0)} ms`, '  self time by module:'];
  const pct = (ms: number) => `${((100 * ms) / total).toFixed(1).padStart(5)} %`;
  for (const [name, ms] of [...modules].sort((a, b) => b[1] - a[1]).slice(0, top))
    lines.push(`    ${ms.toFixed(0).padStart(7)} ms ${pct(ms)}  ${name}`);
  lines.push('  self time by function:');
  for (const [name, ms] of [...fns].sort((a, b) => b[1] - a[1]).slice(0, top))
    lines.push(`    ${ms.toFixed(0).padStart(7)} ms ${pct(ms)}  ${name}`);
  return lines;
}
