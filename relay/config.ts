/**
 * The pairing token file: `$XDG_CONFIG_HOME/biff/relay.json` (or `--config`), holding
 * `{"token": "…"}`, and once a Firefox add-on has paired, its origin (`"firefoxOrigin":
 * "moz-extension://<uuid>"`, see policy.ts). Created on first start with a random 256-bit token, mode 0600 in a 0700
 * directory, since whoever has the token can make the relay connect for them.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readFile, rename, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { TOKEN_BYTES } from './limits.ts';
import { isFirefoxOrigin } from './policy.ts';

/** The token file's contents. */
export interface RelayConfigFile {
  token: string;
  /** The Firefox add-on that paired; absent until one has (delete it to pair another). */
  firefoxOrigin?: string;
}

/** A token and where it came from. */
export interface LoadedToken {
  token: string;
  /** True when this start generated it (main prints it once for pairing). */
  created: boolean;
  /** The Firefox add-on origin pinned at pairing, or null. */
  firefoxOrigin: string | null;
}

/** A token file that exists but cannot be used; main reports it and exits 1. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Tokens we generate: base64url. Tokens read back must at least be usable in a subprotocol. */
const STORED_TOKEN = /^[A-Za-z0-9_-]{22,}$/;

/** Default token file path; XDG says to ignore a relative XDG_CONFIG_HOME. */
export function defaultConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_CONFIG_HOME;
  const base = xdg && isAbsolute(xdg) ? xdg : join(env.HOME || homedir(), '.config');
  return join(base, 'biff', 'relay.json');
}

/** A fresh token: TOKEN_BYTES random bytes, base64url. */
export function generateToken(): string {
  return randomBytes(TOKEN_BYTES).toString('base64url');
}

/** Parses the token file's text. */
export function parseConfigFile(text: string, path: string): RelayConfigFile {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new ConfigError(`${path}: not JSON; delete it to pair again`);
  }
  const token = (data as { token?: unknown } | null)?.token;
  if (typeof token !== 'string' || !STORED_TOKEN.test(token)) {
    throw new ConfigError(`${path}: no valid "token"; delete it to pair again`);
  }
  const firefoxOrigin = (data as { firefoxOrigin?: unknown }).firefoxOrigin;
  if (firefoxOrigin === undefined) return { token };
  if (typeof firefoxOrigin !== 'string' || !isFirefoxOrigin(firefoxOrigin)) {
    throw new ConfigError(
      `${path}: "firefoxOrigin" is not a moz-extension:// origin; remove it to pair again`,
    );
  }
  return { token, firefoxOrigin };
}

/** Reads the token file, creating it (and its directory) on first start. */
export async function loadOrCreateToken(path: string): Promise<LoadedToken> {
  const existing = await readToken(path);
  if (existing) return { ...existing, created: false };
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const token = generateToken();
  try {
    // 'wx': never overwrite a file another relay wrote a moment ago.
    const file = await open(path, 'wx', 0o600);
    try {
      await file.writeFile(`${JSON.stringify({ token } satisfies RelayConfigFile, null, 2)}\n`);
    } finally {
      await file.close();
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const raced = await readToken(path);
    if (raced) return { ...raced, created: false };
    throw error;
  }
  return { token, created: true, firefoxOrigin: null };
}

/**
 * Records the Firefox add-on that paired in the token file, so a restarted relay still refuses
 * other add-ons. Written to a temporary file and renamed, so the token is never half-written.
 */
export async function saveFirefoxOrigin(path: string, origin: string): Promise<void> {
  const current = parseConfigFile(await readFile(path, 'utf8'), path);
  const next: RelayConfigFile = { ...current, firefoxOrigin: origin };
  const temp = `${path}.${process.pid}.tmp`;
  const file = await open(temp, 'w', 0o600);
  try {
    await file.writeFile(`${JSON.stringify(next, null, 2)}\n`);
  } finally {
    await file.close();
  }
  await rename(temp, path);
}

async function readToken(path: string): Promise<{ token: string; firefoxOrigin: string | null } | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const { token, firefoxOrigin } = parseConfigFile(text, path);
  // A copied or restored file may have lost its mode; the token is a secret either way.
  if (((await stat(path)).mode & 0o077) !== 0) await chmod(path, 0o600);
  return { token, firefoxOrigin: firefoxOrigin ?? null };
}
