/**
 * bundle: the sizes of the benchmark's production build (minified, as shipped): background.js,
 * popup.js and options.js, raw and gzipped (level 9), plus each page's code-split chunks. The
 * target is on the background bundle's gzipped size, which the service worker parses at every
 * start.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { type CaseResult, limitResult } from '../results.ts';

function sizes(path: string): { raw: number; gzip: number } {
  const bytes = readFileSync(path);
  return { raw: bytes.length / 1024, gzip: gzipSync(bytes, { level: 9 }).length / 1024 };
}

/** Measures the bundles in `dist` (dist/chrome of the benchmark's build). */
export function bundleCase(dist: string, log: (line: string) => void): CaseResult {
  const files = ['background.js', 'popup.js', 'options.js'];
  const chunks = readdirSync(join(dist, 'chunks')).map((f) => `chunks/${f}`);
  for (const file of [...files, ...chunks]) {
    const { raw, gzip } = sizes(join(dist, file));
    log(`  ${file.padEnd(34)} ${raw.toFixed(1).padStart(8)} KB  ${gzip.toFixed(1).padStart(7)} KB gzip`);
  }
  const background = sizes(join(dist, 'background.js')).gzip;
  return limitResult('bundle', 'KB gzip', { median: background, min: background, max: background }, 250);
}
