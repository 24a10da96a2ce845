/**
 * The pure half of "Export as mbox": the download's file name and what to tell the user about
 * the result. The export itself is extension/store/mbox.ts; use-mbox-export.ts runs it.
 */
import type { Protocol } from '../extension/accounts.ts';
import type { Message } from './message.ts';

/** Longest account-name part of the file name: file systems cap names at 255 bytes. */
const MAX_NAME_PART = 60;

/**
 * `biff-<account>-<YYYY-MM-DD>.mbox`, with the account name reduced to characters every file
 * system accepts (letters and digits of any script, `.`, `_`, `-`), runs of anything else as one
 * `-`, and the local date, which is the one the user thinks of as "today".
 */
export function mboxFileName(accountName: string, date: Date): string {
  const safe = accountName
    .normalize('NFC')
    .replace(/[^\p{L}\p{N}._-]+/gu, '-')
    .replace(/^[-.]+/, '');
  // By code point, so a letter outside the BMP is never cut in half.
  const name =
    Array.from(safe)
      .slice(0, MAX_NAME_PART)
      .join('')
      .replace(/[-.]+$/, '') || 'account';
  const two = (n: number) => String(n).padStart(2, '0');
  const day = `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())}`;
  return `biff-${name}-${day}.mbox`;
}

/**
 * The lines shown after an export. Skipped messages are those without their whole source here:
 * for POP3 only the headers were downloaded (large messages, fetched on opening), and this
 * copy may be the only one left, so the user is told how to complete it; for IMAP they are on
 * the server.
 */
export function exportReport(protocol: Protocol, exported: number, skipped: number): Message[] {
  const lines: Message[] = [
    exported === 0
      ? { key: 'options_exportNothing' }
      : { key: 'options_exportDone', args: [exported.toLocaleString()] },
  ];
  if (skipped > 0)
    lines.push({
      key: protocol === 'pop3' ? 'options_exportSkippedPop3' : 'options_exportSkippedImap',
      args: [skipped.toLocaleString()],
    });
  return lines;
}
