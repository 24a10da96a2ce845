/**
 * Keeping passwords out of errors, for both protocols: servers and libraries sometimes echo a
 * command line (LOGIN, PASS, AUTH PLAIN) in an error message.
 */

/** Shortest password that is searched for and replaced: shorter strings occur in ordinary text. */
const MIN_SECRET_LENGTH = 3;
const REDACTED = '[redacted]';

function base64(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

/**
 * Removes `secret` (and its SASL PLAIN/LOGIN base64 forms for `user`) from the message and every
 * string property of `error` and its causes, in place, and returns it. Servers and libraries
 * sometimes echo a command line in an error; this makes sure a password never reaches a log,
 * a `lastError` or the UI.
 */
export function redactSecret<T>(error: T, secret: string, user = ''): T {
  if (secret.length < MIN_SECRET_LENGTH) return error;
  const needles = [
    secret,
    base64(secret),
    base64(`\u0000${user}\u0000${secret}`),
    base64(`${user}\u0000${user}\u0000${secret}`),
  ];
  const scrub = (text: string): string => {
    let out = text;
    for (const needle of needles) out = out.split(needle).join(REDACTED);
    return out;
  };
  const seen = new Set<object>();
  const visit = (value: unknown, depth: number): void => {
    if (typeof value !== 'object' || value === null || seen.has(value) || depth > 4) return;
    if (ArrayBuffer.isView(value)) return;
    seen.add(value);
    const record = value as Record<string, unknown>;
    for (const key of Object.getOwnPropertyNames(value)) {
      let current: unknown;
      try {
        current = record[key];
      } catch {
        continue;
      }
      if (typeof current === 'string') {
        const clean = scrub(current);
        if (clean !== current) {
          try {
            record[key] = clean;
          } catch {
            /* a read-only property: nothing we can do, and nothing we add */
          }
        }
      } else if (typeof current === 'object' && current !== null) {
        visit(current, depth + 1);
      }
    }
  };
  visit(error, 0);
  return error;
}
