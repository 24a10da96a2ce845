/**
 * The primary password's cryptography, pure WebCrypto (the same `crypto.subtle` in the worker,
 * the pages and Node), so it is tested without a browser. Like Thunderbird's primary password:
 * a key derived from the password encrypts every secret at rest; the key, not the password, is
 * what an unlocked session keeps.
 *
 * - Key: PBKDF2-HMAC-SHA-256 over the password and a random 16-byte salt, `PBKDF2_ITERATIONS`
 *   rounds, 256 bits. The parameters are stored with the vault, so a later build can raise the
 *   count and still open an older vault.
 * - Encryption: AES-256-GCM, a fresh random 96-bit IV for every write (NIST SP 800-38D §8.2.2:
 *   never reuse an IV under one key), the vault's purpose as additional data.
 * - Verifier (`check`): a known constant sealed under the key. A wrong password fails to open
 *   it (`wrong_password`); the right key failing on the secrets themselves means they were
 *   changed or damaged (`tampered`). The two are told apart without decrypting any secret.
 */
import { StoreError } from './errors.ts';

/**
 * PBKDF2 rounds: OWASP's 2023 figure for PBKDF2-HMAC-SHA-256. Measured here (Node 20 on this
 * 2-core machine, under load): 374 ms per derivation, inside the 200-500 ms one unlock may
 * take; Chromium's WebCrypto (the same BoringSSL primitive) is no slower.
 */
export const PBKDF2_ITERATIONS = 600_000;
/** Fewer rounds than this in a stored vault is not something Biff wrote: refused as `invalid`. */
export const MIN_ITERATIONS = 100_000;
/** More than this would freeze the worker for minutes: refused as `invalid`. */
export const MAX_ITERATIONS = 10_000_000;
/** 128-bit salt (NIST SP 800-132 §5.1 asks for at least 128 bits). */
const SALT_BYTES = 16;
/** The 96-bit IV GCM is specified for. */
const IV_BYTES = 12;
/** AES-256. */
const KEY_BITS = 256;
/** Longer than any real primary password; bounds what a paste can make the KDF chew on. */
export const PRIMARY_PASSWORD_MAX_CHARS = 4096;
/** The constant the verifier seals. */
const CHECK_TEXT = 'biff primary password check v1';
/** Additional data of every seal: a box from elsewhere cannot pass for a Biff vault. */
const AAD = new TextEncoder().encode('biff-vault-v1');

/** Ciphertext and its IV, base64. */
export interface Sealed {
  iv: string;
  data: string;
}

/** Everything needed to derive the key again from the password. */
export interface KdfParams {
  name: 'PBKDF2';
  hash: 'SHA-256';
  iterations: number;
  /** base64 */
  salt: string;
}

/** What is stored: the KDF's parameters, the verifier and the sealed secrets. */
export interface Vault {
  v: 1;
  kdf: KdfParams;
  check: Sealed;
  box: Sealed;
}

/** The derived key, as raw bytes: what an unlocked session holds (memory or storage.session). */
export type RawKey = Uint8Array;

const subtle = () => globalThis.crypto.subtle;

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

function fromBase64(text: string, what: string): Uint8Array<ArrayBuffer> {
  try {
    const binary = atob(text);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes;
  } catch {
    throw new StoreError('invalid', `vault: ${what} is not base64`);
  }
}

/** The key bytes as text for storage.session, and back. */
export const encodeKey = (key: RawKey): string => toBase64(key);
export function decodeKey(text: string): RawKey {
  const key = fromBase64(text, 'key');
  if (key.length !== KEY_BITS / 8) throw new StoreError('invalid', 'vault: key has the wrong length');
  return key;
}

function checkPassword(password: string): void {
  if (typeof password !== 'string' || password === '')
    throw new StoreError('invalid', 'primary password: must not be empty');
  if (password.length > PRIMARY_PASSWORD_MAX_CHARS)
    throw new StoreError('invalid', `primary password: longer than ${PRIMARY_PASSWORD_MAX_CHARS} characters`);
}

/** Fresh KDF parameters: a new random salt, today's round count. */
export function newKdf(iterations = PBKDF2_ITERATIONS): KdfParams {
  const salt = globalThis.crypto.getRandomValues(new Uint8Array(SALT_BYTES));
  return { name: 'PBKDF2', hash: 'SHA-256', iterations, salt: toBase64(salt) };
}

/** Derives the key from the password (the slow step, by design). */
export async function deriveKey(password: string, kdf: KdfParams): Promise<RawKey> {
  checkPassword(password);
  const base = await subtle().importKey('raw', new TextEncoder().encode(password), 'PBKDF2', false, [
    'deriveBits',
  ]);
  const bits = await subtle().deriveBits(
    { name: 'PBKDF2', hash: 'SHA-256', salt: fromBase64(kdf.salt, 'salt'), iterations: kdf.iterations },
    base,
    KEY_BITS,
  );
  return new Uint8Array(bits);
}

function aesKey(raw: RawKey, usage: 'encrypt' | 'decrypt'): Promise<CryptoKey> {
  return subtle().importKey('raw', new Uint8Array(raw), 'AES-GCM', false, [usage]);
}

async function seal(raw: RawKey, plain: string): Promise<Sealed> {
  const iv = globalThis.crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const data = await subtle().encrypt(
    { name: 'AES-GCM', iv, additionalData: AAD },
    await aesKey(raw, 'encrypt'),
    new TextEncoder().encode(plain),
  );
  return { iv: toBase64(iv), data: toBase64(new Uint8Array(data)) };
}

/** The plaintext, or null when the tag does not verify (wrong key, or changed bytes). */
async function open(raw: RawKey, sealed: Sealed): Promise<string | null> {
  const iv = fromBase64(sealed.iv, 'iv');
  if (iv.length !== IV_BYTES) throw new StoreError('invalid', 'vault: iv has the wrong length');
  try {
    const plain = await subtle().decrypt(
      { name: 'AES-GCM', iv, additionalData: AAD },
      await aesKey(raw, 'decrypt'),
      fromBase64(sealed.data, 'data'),
    );
    return new TextDecoder('utf-8', { fatal: true }).decode(plain);
  } catch {
    return null;
  }
}

/** Seals `payload` (any JSON value) into a new vault under `raw`, derived with `kdf`. */
export async function sealVault(raw: RawKey, kdf: KdfParams, payload: unknown): Promise<Vault> {
  return {
    v: 1,
    kdf,
    check: await seal(raw, CHECK_TEXT),
    box: await seal(raw, JSON.stringify(payload)),
  };
}

/** Creates a vault for a new primary password; returns it with its key. */
export async function createVault(
  password: string,
  payload: unknown,
  iterations = PBKDF2_ITERATIONS,
): Promise<{ vault: Vault; key: RawKey }> {
  const kdf = newKdf(iterations);
  const key = await deriveKey(password, kdf);
  return { vault: await sealVault(key, kdf, payload), key };
}

/** Whether `raw` is this vault's key (its verifier opens). */
export async function keyFits(vault: Vault, raw: RawKey): Promise<boolean> {
  return (await open(raw, vault.check)) === CHECK_TEXT;
}

/** The vault's key derived from `password`; `wrong_password` when it is not the primary password. */
export async function unlockVault(vault: Vault, password: string): Promise<RawKey> {
  const key = await deriveKey(password, vault.kdf);
  if (!(await keyFits(vault, key)))
    throw new StoreError('wrong_password', 'That is not the primary password');
  return key;
}

/**
 * The vault's payload. `wrong_password` when `raw` is not its key; `tampered` when it is but
 * the secrets do not decrypt (changed or damaged at rest).
 */
export async function openVault(vault: Vault, raw: RawKey): Promise<unknown> {
  if (!(await keyFits(vault, raw)))
    throw new StoreError('wrong_password', 'That is not the primary password');
  const plain = await open(raw, vault.box);
  if (plain === null) throw new StoreError('tampered', 'The encrypted secrets were changed or damaged');
  try {
    return JSON.parse(plain);
  } catch {
    throw new StoreError('tampered', 'The encrypted secrets were changed or damaged');
  }
}

/** A checked copy of a stored vault; `invalid` naming the first bad field. */
export function validateVault(value: unknown): Vault {
  const bad = (field: string): never => {
    throw new StoreError('invalid', `vault.${field}: is not valid here`);
  };
  if (typeof value !== 'object' || value === null) return bad('v');
  const v = value as Record<string, unknown>;
  if (v.v !== 1) bad('v');
  const kdf = v.kdf as Record<string, unknown> | null;
  if (typeof kdf !== 'object' || kdf === null || kdf.name !== 'PBKDF2' || kdf.hash !== 'SHA-256') bad('kdf');
  const iterations = kdf!.iterations;
  if (
    typeof iterations !== 'number' ||
    !Number.isInteger(iterations) ||
    iterations < MIN_ITERATIONS ||
    iterations > MAX_ITERATIONS
  )
    bad('kdf.iterations');
  if (typeof kdf!.salt !== 'string' || fromBase64(kdf!.salt, 'salt').length !== SALT_BYTES) bad('kdf.salt');
  const sealed = (field: 'check' | 'box'): Sealed => {
    const s = v[field] as Record<string, unknown> | null;
    if (typeof s !== 'object' || s === null || typeof s.iv !== 'string' || typeof s.data !== 'string')
      return bad(field);
    return { iv: s.iv, data: s.data };
  };
  return {
    v: 1,
    kdf: { name: 'PBKDF2', hash: 'SHA-256', iterations: iterations as number, salt: kdf!.salt as string },
    check: sealed('check'),
    box: sealed('box'),
  };
}
