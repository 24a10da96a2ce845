/** Where "Test connection" is: not run (or outdated by an edit), running, a report, or no answer. */
import type { ProbeReport } from '../extension/contract.ts';

export type TestState =
  | { state: 'idle' }
  | { state: 'running' }
  | { state: 'done'; report: ProbeReport }
  | { state: 'error'; message: string };
