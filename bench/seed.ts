// Seeds a benchmark mailbox: realistic mixed mail generated in memory, then written straight into
// the user's Maildir (seedMaildir). The two steps are timed apart, since only the write is the
// seeding the cases wait on (generating 10,000 messages of ~20 KB is the slower half).

import type { GeneratedMessage } from '../test/servers/messages.ts';
import { makeMailbox } from '../test/servers/messages.ts';
import type { SeedOptions } from '../test/servers/seed.ts';
import { seedMaildir } from '../test/servers/seed.ts';
import type { BenchWorld } from './world.ts';

export interface Seeded {
  /** Bytes written. */
  bytes: number;
  /** One line for the log: count, size, generate and write times. */
  line: string;
}

/** `count` mixed messages (2–60 KB, mean ~20 KB) of generator seed `seed` into `user`'s INBOX. */
export function seedMixed(
  world: BenchWorld,
  user: string,
  count: number,
  seed: number,
  opts: (mail: GeneratedMessage[]) => SeedOptions = () => ({}),
): Seeded {
  let started = performance.now();
  const mail = makeMailbox(count, { size: 'mixed', seed });
  // The encoding belongs to generating: the generator's strings are built by concatenation and
  // flattening them is most of the cost of turning them into bytes.
  const raw = mail.map((m) => Buffer.from(m.raw, 'utf8'));
  const generateMs = performance.now() - started;
  started = performance.now();
  seedMaildir(world.dovecot, user, raw, opts(mail));
  const writeMs = performance.now() - started;
  const bytes = raw.reduce((sum, b) => sum + b.length, 0);
  const line =
    `seeded ${count} messages, ${(bytes / 1e6).toFixed(1)} MB (mean ${(bytes / count / 1024).toFixed(1)} KiB): ` +
    `generated in ${(generateMs / 1000).toFixed(2)} s, written to the Maildir in ${(writeMs / 1000).toFixed(2)} s`;
  return { bytes, line };
}
