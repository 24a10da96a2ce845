// Fills a test account by writing Maildir files straight to disk, the way a delivery agent
// would (write in tmp/, rename into new/ or cur/), so 10,000 messages take well under a second
// instead of 10,000 APPENDs. Dovecot picks them up at its next sync of the folder.
import {
  chownSync,
  closeSync,
  existsSync,
  fchownSync,
  futimesSync,
  mkdirSync,
  openSync,
  readdirSync,
  renameSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import type { DovecotServer } from './dovecot.ts';
import { MAIL_GID, MAIL_UID } from './dovecot.ts';

/** A raw RFC 5322 message, or a generated one (messages.ts) carrying its raw text. */
export type SeedMessage = string | Uint8Array | { raw: string | Uint8Array };

/** Where and how the messages land. */
export interface SeedOptions {
  /** Mailbox name with "/" as separator; INBOX when omitted. */
  folder?: string;
  /** \Seen flag, one per message or for all. Unseen go to new/, seen to cur/ with ":2,S". */
  seen?: boolean | readonly boolean[];
  /** INTERNALDATE, one per message: Dovecot takes it from the file's mtime. */
  dates?: readonly Date[];
}

/** What was written. */
export interface SeedResult {
  /** The Maildir folder written to. */
  path: string;
  /** File names (without the folder) in the order of `messages`, which is also UID order. */
  files: string[];
}

// Dovecot gives new files UIDs in the order of their base names' time and microsecond parts
// (maildir-uidlist.c sorts by them), so names are made strictly increasing across calls.
let lastSecond = 0;
let lastMicro = -1;
const HOST = hostname().replace(/[/:]/g, '_');

function nextStamp(): { sec: number; usec: number } {
  const now = Math.floor(Date.now() / 1000);
  if (now > lastSecond) {
    lastSecond = now;
    lastMicro = 0;
  } else if (++lastMicro > 999_999) {
    lastSecond++;
    lastMicro = 0;
  }
  return { sec: lastSecond, usec: lastMicro };
}

/**
 * Dovecot's Maildir++ folder path for a mailbox name: ".A.B" for "A/B", names in modified
 * UTF-7 (RFC 3501 §5.1.3) as Dovecot stores them.
 */
export function maildirFolder(root: string, folder: string | undefined): string {
  if (folder === undefined || folder.toUpperCase() === 'INBOX') return root;
  const parts = folder.split('/').map(encodeModifiedUtf7);
  if (parts.some((p) => p === '' || p.includes('.'))) {
    throw new Error(`seedMaildir: unsupported folder name ${JSON.stringify(folder)}`);
  }
  return join(root, `.${parts.join('.')}`);
}

/** RFC 3501 §5.1.3 modified UTF-7. */
export function encodeModifiedUtf7(name: string): string {
  return name.replace(/&|[^\x20-\x7e]+/g, (run) => {
    if (run === '&') return '&-';
    const utf16 = Buffer.alloc(run.length * 2);
    for (let i = 0; i < run.length; i++) utf16.writeUInt16BE(run.charCodeAt(i), i * 2);
    return `&${utf16.toString('base64').replace(/=+$/, '').replace(/\//g, ',')}-`;
  });
}

function toBytes(message: SeedMessage): Uint8Array {
  const raw = typeof message === 'object' && 'raw' in message ? message.raw : message;
  return typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw;
}

/** Size the message has with every bare LF as CRLF: Dovecot's ",W=" (RFC822.SIZE). */
function virtualSize(bytes: Uint8Array): number {
  let size = bytes.length;
  // indexOf is native: 3x faster than testing every byte over a 200 MB seed.
  for (let i = bytes.indexOf(0x0a); i !== -1; i = bytes.indexOf(0x0a, i + 1)) {
    if (i === 0 || bytes[i - 1] !== 0x0d) size++;
  }
  return size;
}

/** Creates a folder owned by the mail user (Dovecot runs mail as nobody and must write there). */
function ensureDir(path: string): void {
  if (existsSync(path)) return;
  mkdirSync(path, { mode: 0o700 });
  chownSync(path, MAIL_UID, MAIL_GID);
}

/**
 * Writes `messages` into `user`'s Maildir (INBOX or opts.folder), owned by the mail user so
 * Dovecot can flag and expunge them. Returns the file names in message (= UID) order.
 */
export function seedMaildir(
  server: Pick<DovecotServer, 'maildir'>,
  user: string,
  messages: readonly SeedMessage[],
  opts: SeedOptions = {},
): SeedResult {
  if (Array.isArray(opts.seen) && opts.seen.length !== messages.length) {
    throw new Error('seedMaildir: seen[] must have one entry per message');
  }
  if (opts.dates !== undefined && opts.dates.length !== messages.length) {
    throw new Error('seedMaildir: dates[] must have one entry per message');
  }
  const root = server.maildir(user);
  const path = maildirFolder(root, opts.folder);
  ensureDir(dirname(root));
  for (const dir of [root, path]) for (const sub of ['', 'tmp', 'new', 'cur']) ensureDir(join(dir, sub));
  if (path !== root && !existsSync(join(path, 'maildirfolder'))) {
    // Maildir++ marks subfolders with this empty file (Dovecot writes it for folders it creates).
    writeFileSync(join(path, 'maildirfolder'), '');
    chownSync(join(path, 'maildirfolder'), MAIL_UID, MAIL_GID);
  }
  const files: string[] = [];
  messages.forEach((message, i) => {
    const bytes = toBytes(message);
    const seen = typeof opts.seen === 'boolean' ? opts.seen : (opts.seen?.[i] ?? false);
    const { sec, usec } = nextStamp();
    const base = `${sec}.M${usec}P${process.pid}Q${i}.${HOST},S=${bytes.length},W=${virtualSize(bytes)}`;
    const name = seen ? `${base}:2,S` : base;
    const tmp = join(path, 'tmp', base);
    const fd = openSync(tmp, 'wx', 0o600);
    try {
      writeSync(fd, bytes);
      fchownSync(fd, MAIL_UID, MAIL_GID);
      const date = opts.dates?.[i];
      if (date !== undefined) futimesSync(fd, date, date);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, join(path, seen ? 'cur' : 'new', name));
    files.push(name);
  });
  return { path, files };
}

/** Paths of the message files in `user`'s INBOX (new/ and cur/), sorted by name (arrival order). */
export function maildropFiles(dovecot: Pick<DovecotServer, 'maildir'>, user: string): string[] {
  const root = dovecot.maildir(user);
  const files: string[] = [];
  for (const sub of ['new', 'cur']) {
    let names: string[] = [];
    try {
      names = readdirSync(join(root, sub));
    } catch {
      // No Maildir yet: nothing delivered.
    }
    files.push(...names.map((name) => join(root, sub, name)));
  }
  return files.sort((a, b) => a.split('/').pop()!.localeCompare(b.split('/').pop()!));
}
