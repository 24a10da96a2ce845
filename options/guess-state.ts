/** What the editor knows about guessing server settings from the address. */
import type { Response } from '../extension/contract.ts';

/** One candidate as `guessSettings` returns it, best first. */
export type GuessCandidate = Response<'guessSettings'>['candidates'][number];

export type GuessState =
  | { state: 'idle' }
  | { state: 'running'; email: string }
  | {
      state: 'done';
      email: string;
      candidates: GuessCandidate[];
      /** Index of the candidate filled in; null when the user had already changed the server settings. */
      picked: number | null;
      /** Set when the background could not answer and the built-in table stood in: its reason. */
      fallbackReason?: string;
    }
  | { state: 'failed'; email: string; message: string };
