/**
 * One mail job per account at a time inside this worker, for both protocols:
 * - IMAP: a scheduled sync, the push connection's quick sync, a queue replay and a body
 *   download touch the same folder state; a UIDVALIDITY rebuild beside a body download could
 *   otherwise leave rows of the old UIDs behind.
 * - POP3: a sync and a body download opened from the popup would otherwise log in twice, and
 *   many servers lock the maildrop for a whole session (RFC 1939 §8), so the second login
 *   fails with [IN-USE] (RFC 2449 §8.1.1).
 * In-memory on purpose: the worker is the only context that talks to mail servers, and a
 * stopped worker holds no jobs.
 */

const tails = new Map<string, Promise<unknown>>();

/** Runs `job` after every earlier job of `accountId` has settled. */
export function withAccountLock<T>(accountId: string, job: () => Promise<T>): Promise<T> {
  const previous = tails.get(accountId) ?? Promise.resolve();
  const run = previous.then(job, job);
  const tail = run.catch(() => {});
  tails.set(accountId, tail);
  void tail.then(() => {
    if (tails.get(accountId) === tail) tails.delete(accountId);
  });
  return run;
}
