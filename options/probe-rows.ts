/**
 * "Test connection" results as the fixed list of steps the page shows, whatever subset the
 * background reported: relay → server → TLS → login → INBOX, each passed, failed or not run.
 */
import type { ProbeReport, ProbeStage } from '../extension/contract.ts';

/** The steps in the order they happen. */
export const PROBE_STAGES: readonly ProbeStage[] = ['relay', 'server', 'tls', 'login', 'inbox'];

export interface ProbeRow {
  stage: ProbeStage;
  /** `skipped`: not run (an earlier step failed) or not applicable (no TLS on a cleartext connection). */
  result: 'passed' | 'failed' | 'skipped';
  detail: string;
}

/** One row per stage, in order. A stage after a failure never shows as passed. */
export function probeRows(report: ProbeReport): ProbeRow[] {
  let failedBefore = false;
  return PROBE_STAGES.map((stage) => {
    const reported = report.stages.find((s) => s.stage === stage);
    const failed = reported?.ok === false || report.failed?.stage === stage;
    let result: ProbeRow['result'] = 'skipped';
    if (failed) result = 'failed';
    else if (reported?.ok === true && !failedBefore) result = 'passed';
    const row: ProbeRow = { stage, result, detail: reported?.detail ?? '' };
    if (failed) failedBefore = true;
    return row;
  });
}
