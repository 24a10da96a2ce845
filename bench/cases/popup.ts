/**
 * popup-open: `popup.html` opened in a new tab with the cache holding `cached` messages (the
 * last imap-initial account's), timed inside the page from navigation start (the page's
 * `performance` time origin) until the frame that shows the first message rows has been
 * painted: rows in the DOM, then two animation frames. Baseline: an empty page of the same
 * extension (bench-empty.html, added to the benchmark's build), timed the same way until its
 * first frame has been painted. Baseline and popup runs alternate, each in a fresh tab.
 */
import type { BrowserContext } from 'playwright';
import { EMPTY_PAGE } from '../build.ts';
import { type CaseResult, ratioResult } from '../results.ts';
import { type Repetitions, repeat, summarize } from '../stats.ts';
import type { BenchWorld } from '../world.ts';

/** The popup's message rows (popup/message-row.tsx). */
const ROW = '.row';

/**
 * Runs in the page before its own scripts: `window.__painted` resolves with performance.now()
 * once `selector` matches (or the document is parsed, for an empty selector) and the next
 * frame after that has been painted. A string, not a function: tsx's transform would put
 * helpers into a function that do not exist in the page.
 */
function paintProbe(selector: string): string {
  return `window.__painted = new Promise((resolve) => {
    const selector = ${JSON.stringify(selector)};
    const painted = () => requestAnimationFrame(() => requestAnimationFrame(() => resolve(performance.now())));
    const ready = () => (selector === '' ? document.body !== null : document.querySelector(selector) !== null);
    const observer = new MutationObserver(() => {
      if (!ready()) return;
      observer.disconnect();
      painted();
    });
    observer.observe(document, { childList: true, subtree: true });
  });`;
}

/** Where the time went: navigation milestones and the popup's own performance marks, in ms. */
const MILESTONES = `(() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const marks = performance.getEntriesByType('mark').map((m) => m.name + ' ' + m.startTime.toFixed(0));
  return ['response ' + nav.responseEnd.toFixed(0), 'domInteractive ' + nav.domInteractive.toFixed(0), ...marks].join(', ');
})()`;

async function openTimed(
  context: BrowserContext,
  url: string,
  selector: string,
): Promise<{ ms: number; milestones: string }> {
  const page = await context.newPage();
  try {
    await page.addInitScript({ content: paintProbe(selector) });
    await page.goto(url);
    const ms = await page.evaluate(() => (window as unknown as { __painted: Promise<number> }).__painted);
    return { ms, milestones: (await page.evaluate(MILESTONES)) as string };
  } finally {
    await page.close();
  }
}

/** Runs popup-open against its baseline. */
export async function popupCase(
  world: BenchWorld,
  cached: number,
  reps: Repetitions,
  log: (line: string) => void,
): Promise<CaseResult> {
  const { context, extensionId } = world.world.ext;
  const base = `chrome-extension://${extensionId}/`;
  log(`  popup-open with ${cached} cached messages, and an empty extension page, alternating:`);
  const empty: number[] = [];
  const samples = await repeat(
    reps,
    async (i) => {
      const baseline = await openTimed(context, base + EMPTY_PAGE, '');
      if (i >= 0) empty.push(baseline.ms);
      const popup = await openTimed(context, `${base}popup.html`, ROW);
      log(`    empty page ${baseline.ms.toFixed(0)} ms (${baseline.milestones})`);
      log(`    popup: ${popup.milestones}`);
      return popup.ms;
    },
    log,
  );
  return ratioResult('popup-open', 'ms', summarize(samples), summarize(empty), 1.5);
}
