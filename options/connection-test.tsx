/**
 * "Test connection" and its staged report: relay → server → TLS → login → INBOX with ✓/✗/–, the
 * first failure's plain reason, and the certificate to trust when that was the problem.
 */
import type { ProbeStage } from '../extension/contract.ts';
import { t } from '../extension/ui/i18n.ts';
import { CertificateCard } from './certificate-card.tsx';
import { type ProbeRow, probeRows } from './probe-rows.ts';
import type { TestState } from './test-state.ts';

interface Props {
  test: TestState;
  onRun: () => void;
  onTrust: (fingerprint: string) => void;
}

const STAGE_KEYS: Record<ProbeStage, string> = {
  relay: 'options_stageRelay',
  server: 'options_stageServer',
  tls: 'options_stageTls',
  login: 'options_stageLogin',
  inbox: 'options_stageInbox',
};

const MARKS: Record<ProbeRow['result'], { symbol: string; key: string }> = {
  passed: { symbol: '✓', key: 'options_stagePassed' },
  failed: { symbol: '✗', key: 'options_stageFailed' },
  skipped: { symbol: '–', key: 'options_stageSkipped' },
};

export function ConnectionTest({ test, onRun, onTrust }: Props) {
  const running = test.state === 'running';
  return (
    <div class="connection-test">
      <div class="actions">
        <button type="button" onClick={onRun} disabled={running} aria-describedby="test-summary">
          {t('options_testConnection')}
        </button>
        <p id="test-summary" class={`inline-status ${summaryTone(test)}`} role="status">
          {summary(test)}
        </p>
      </div>
      {test.state === 'done' ? (
        <>
          <ol class="probe" aria-label={t('options_testStepsLabel')}>
            {probeRows(test.report).map((row) => (
              <li key={row.stage} class={`probe-row ${row.result}`}>
                <span class="mark" aria-hidden="true">
                  {MARKS[row.result].symbol}
                </span>
                <span class="visually-hidden">{t(MARKS[row.result].key)}</span>
                <span class="stage">{t(STAGE_KEYS[row.stage])}</span>
                {row.detail ? <span class="detail muted">{row.detail}</span> : null}
              </li>
            ))}
          </ol>
          {test.report.certificate ? (
            <CertificateCard
              certificate={test.report.certificate}
              busy={running}
              onTrust={() => onTrust(test.report.certificate!.fingerprint256)}
            />
          ) : null}
        </>
      ) : null}
    </div>
  );
}

function summary(test: TestState): string {
  switch (test.state) {
    case 'idle':
      return '';
    case 'running':
      return t('options_testRunning');
    case 'error':
      return t('options_testError', test.message);
    case 'done': {
      const { report } = test;
      if (report.ok) return t('options_testPassed');
      if (report.failed)
        return t('options_testFailedAt', t(STAGE_KEYS[report.failed.stage]), report.failed.message);
      return t('options_testFailed');
    }
  }
}

function summaryTone(test: TestState): string {
  if (test.state === 'error' || (test.state === 'done' && !test.report.ok)) return 'error';
  return test.state === 'done' ? 'ok' : 'muted';
}
