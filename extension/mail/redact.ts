/**
 * Keeping secrets out of errors, for both protocols and for what the background sends its pages:
 * servers and libraries echo command lines (LOGIN, PASS, AUTH PLAIN) in error messages, and
 * serialisers quote, escape or encode them on the way. Every form a secret can take on the wire
 * or in a message is searched for, not only the secret as typed.
 */

/** A secret to redact; `user` adds the SASL forms that embed it (PLAIN without authzid). */
export interface Secret {
  secret: string;
  user?: string;
}

/** Shortest secret that is searched for and replaced: shorter strings occur in ordinary text. */
const MIN_SECRET_LENGTH = 3;
const REDACTED = '[redacted]';

/**
 * Most objects visited in one error (causes, properties, array items). Causes are followed to
 * any depth (a cut-off at 4 once let a deeper cause through); this only bounds a hostile graph.
 */
const MAX_VISITED = 10_000;

/** A run of base64 (standard or URL-safe) long enough to hold a secret of MIN_SECRET_LENGTH. */
const BASE64_RUN = /[A-Za-z0-9+/_-]{4,}={0,2}/g;

function base64(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

/** JSON string content with every non-ASCII character as \uXXXX, as some serialisers write it. */
function asciiJson(json: string): string {
  return json.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Every literal form of a secret, longest first (so a longer form is not cut by a shorter one). */
function formsOf({ secret, user = '' }: Secret): string[] {
  const json = JSON.stringify(secret).slice(1, -1);
  const uri = encodeURIComponent(secret);
  const forms = new Set([
    secret,
    // An IMAP quoted string (RFC 9051 §4.3): `\` and `"` are escaped.
    secret.replace(/[\\"]/g, (c) => `\\${c}`),
    json,
    asciiJson(json),
    // A JSON string inside a JSON string.
    JSON.stringify(json).slice(1, -1),
    uri,
    uri.replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase()),
    // application/x-www-form-urlencoded: spaces as `+`.
    new URLSearchParams({ s: secret }).toString().slice(2),
    // SASL PLAIN without authzid and LOGIN; any other base64 is decoded by redactBase64.
    base64(secret),
    base64(`\u0000${user}\u0000${secret}`),
    base64(`${user}\u0000${user}\u0000${secret}`),
  ]);
  return [...forms].filter((form) => form.length >= MIN_SECRET_LENGTH).sort((a, b) => b.length - a.length);
}

/** Decodes a base64 run (either alphabet, padding optional) as UTF-8; null if it is not base64. */
function decodeBase64(run: string): string | null {
  const standard = run.replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, '');
  if (standard.length % 4 === 1) return null;
  try {
    const binary = atob(standard + '='.repeat((4 - (standard.length % 4)) % 4));
    return new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
  } catch {
    return null;
  }
}

/**
 * Base64 whose decoding holds a secret: SASL PLAIN with any authzid, XOAUTH2, a secret at any
 * byte offset of an encoded blob, which no fixed list of encodings can foresee.
 */
function redactBase64(text: string, secrets: readonly string[]): string {
  return text.replace(BASE64_RUN, (run) => {
    const decoded = decodeBase64(run);
    return decoded !== null && secrets.some((secret) => decoded.includes(secret)) ? REDACTED : run;
  });
}

/** A redactor for `secrets`: the forms are worked out once, then applied to each string. */
function redactor(secrets: readonly Secret[]): (text: string) => string {
  const usable = secrets.filter((s) => typeof s.secret === 'string' && s.secret.length >= MIN_SECRET_LENGTH);
  if (usable.length === 0) return (text) => text;
  const needles = [...new Set(usable.flatMap(formsOf))].sort((a, b) => b.length - a.length);
  const raw = usable.map((s) => s.secret);
  return (text) => {
    let out = text;
    for (const needle of needles) if (out.includes(needle)) out = out.split(needle).join(REDACTED);
    return redactBase64(out, raw);
  };
}

/** `text` with every form of every secret replaced by `[redacted]`. */
export function redactText(text: string, secrets: readonly Secret[]): string {
  return redactor(secrets)(text);
}

/**
 * Removes every form of every secret from the message and every string property of `error`,
 * its causes (to any depth), the errors of an AggregateError and anything else it holds, in
 * place, and returns it (a thrown string is returned redacted).
 */
export function redactSecrets<T>(error: T, secrets: readonly Secret[]): T {
  const scrub = redactor(secrets);
  if (typeof error === 'string') return scrub(error) as T;
  const seen = new Set<object>();
  const pending: object[] = [];
  const enqueue = (value: unknown): void => {
    if (typeof value !== 'object' || value === null || seen.has(value) || ArrayBuffer.isView(value)) return;
    if (seen.size >= MAX_VISITED) return;
    seen.add(value);
    pending.push(value);
  };
  enqueue(error);
  for (let value = pending.pop(); value !== undefined; value = pending.pop()) {
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
      } else {
        enqueue(current);
      }
    }
  }
  return error;
}

/** redactSecrets for one password and the user it logs in as. */
export function redactSecret<T>(error: T, secret: string, user = ''): T {
  return redactSecrets(error, [{ secret, user }]);
}
