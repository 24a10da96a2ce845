import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ProbeReport } from '../extension/contract.ts';
import { probeRows } from './probe-rows.ts';

const results = (report: ProbeReport) => probeRows(report).map((r) => `${r.stage}:${r.result}`);

test('a full pass shows every step passed, in order', () => {
  const report: ProbeReport = {
    ok: true,
    stages: [
      { stage: 'inbox', ok: true, detail: '12 messages' },
      { stage: 'relay', ok: true, detail: '' },
      { stage: 'server', ok: true, detail: '' },
      { stage: 'tls', ok: true, detail: 'TLSv1.3' },
      { stage: 'login', ok: true, detail: '' },
    ],
  };
  assert.deepEqual(results(report), [
    'relay:passed',
    'server:passed',
    'tls:passed',
    'login:passed',
    'inbox:passed',
  ]);
  assert.equal(probeRows(report)[4]?.detail, '12 messages');
});

test('steps after the failing one are not run, and missing steps count as not run', () => {
  const report: ProbeReport = {
    ok: false,
    stages: [
      { stage: 'relay', ok: true, detail: '' },
      { stage: 'server', ok: true, detail: '' },
      { stage: 'tls', ok: false, detail: 'self-signed' },
      { stage: 'login', ok: true, detail: 'should not show as passed' },
    ],
    failed: { stage: 'tls', code: 'tls_untrusted', message: 'Untrusted certificate' },
  };
  assert.deepEqual(results(report), [
    'relay:passed',
    'server:passed',
    'tls:failed',
    'login:skipped',
    'inbox:skipped',
  ]);
});

test('a failure named only in `failed` still marks its step', () => {
  const report: ProbeReport = {
    ok: false,
    stages: [{ stage: 'relay', ok: true, detail: '' }],
    failed: { stage: 'server', code: 'connect_refused', message: 'Refused' },
  };
  assert.deepEqual(results(report), [
    'relay:passed',
    'server:failed',
    'tls:skipped',
    'login:skipped',
    'inbox:skipped',
  ]);
});

test('a step reported as not applicable (ok: null) is skipped without failing the rest', () => {
  const report: ProbeReport = {
    ok: true,
    stages: [
      { stage: 'relay', ok: true, detail: '' },
      { stage: 'server', ok: true, detail: '' },
      { stage: 'tls', ok: null, detail: 'not encrypted' },
      { stage: 'login', ok: true, detail: '' },
      { stage: 'inbox', ok: true, detail: '' },
    ],
  };
  assert.deepEqual(results(report), [
    'relay:passed',
    'server:passed',
    'tls:skipped',
    'login:passed',
    'inbox:passed',
  ]);
});
