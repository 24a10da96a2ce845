/**
 * "Export as mbox" for one account: reads the account's stored mail straight from IndexedDB
 * (the page only reads; the background need not be awake), builds the mboxrd file
 * (extension/store/mbox.ts) and hands it to the browser as a download.
 */
import { useCallback, useState } from 'preact/hooks';
import type { Account } from '../extension/accounts.ts';
import { exportMbox } from '../extension/store/mbox.ts';
import { openBiffDb } from '../extension/store/schema.ts';
import { errorText } from '../extension/ui/error-text.ts';
import { exportReport, mboxFileName } from './mbox-export.ts';
import type { Message } from './message.ts';

/**
 * How long the object URL stays valid after the download started. Chrome reads the Blob
 * asynchronously once the click navigated; revoking at once can fail the download, and
 * keeping it for the page's lifetime pins the whole file in memory.
 */
const REVOKE_AFTER_MS = 60_000;

export type MboxExportState =
  | { state: 'idle' }
  | { state: 'running' }
  | { state: 'done'; lines: Message[] }
  | { state: 'failed'; reason: string };

/** Saves `blob` as `filename` through a temporary link, as a user's click on it would. */
function download(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.rel = 'noopener';
  link.style.display = 'none';
  document.body.append(link);
  try {
    link.click();
  } finally {
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), REVOKE_AFTER_MS);
  }
}

/** The export's state for one account row, and the action that runs it. */
export function useMboxExport(account: Account): { status: MboxExportState; run: () => Promise<void> } {
  const [status, setStatus] = useState<MboxExportState>({ state: 'idle' });
  const run = useCallback(async () => {
    setStatus({ state: 'running' });
    try {
      const db = await openBiffDb();
      let result: Awaited<ReturnType<typeof exportMbox>>;
      try {
        result = await exportMbox(db, account.id);
      } finally {
        // Not kept open: an idle connection here would only delay the background's upgrades.
        db.close();
      }
      // An empty file would look like a backup and hold nothing.
      if (result.exported > 0) download(result.blob, mboxFileName(account.name || account.email, new Date()));
      setStatus({
        state: 'done',
        lines: exportReport(account.protocol, result.exported, result.skipped.length),
      });
    } catch (error) {
      setStatus({ state: 'failed', reason: errorText(error) });
    }
  }, [account.id, account.name, account.email, account.protocol]);
  return { status, run };
}
