/**
 * One POP3 job per account at a time inside this worker: a scheduled sync and a body download
 * opened from the popup would otherwise log in twice at once, and many servers hold an
 * exclusive lock on the maildrop for the whole session (RFC 1939 §8), so the second login
 * fails with [IN-USE] (RFC 2449 §8.1.1). In-memory on purpose: the worker is the only context
 * that talks POP3, and a stopped worker holds no jobs.
 */

const tails = new Map<string, Promise<unknown>>();

/** Runs `job` after every earlier job of `accountId` has settled. */
export function withPop3Lock<T>(accountId: string, job: () => Promise<T>): Promise<T> {
  const previous = tails.get(accountId) ?? Promise.resolve();
  const run = previous.then(job, job);
  const tail = run.catch(() => {});
  tails.set(accountId, tail);
  void tail.then(() => {
    if (tails.get(accountId) === tail) tails.delete(accountId);
  });
  return run;
}
