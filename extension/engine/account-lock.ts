/**
 * One IMAP job per account at a time inside this worker: a scheduled sync, the push
 * connection's quick sync, a queue replay, a body download. They touch the same folder state,
 * and a UIDVALIDITY rebuild running beside a body download could otherwise leave rows of the
 * old UIDs behind. In-memory on purpose: the worker is the only context that talks IMAP, and a
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
