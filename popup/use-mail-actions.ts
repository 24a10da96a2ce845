/**
 * What the user can do to mail from the popup, each through `send()` with an optimistic display:
 * toggle read, delete (with the undo offer), undo, and sync. A failure undoes the optimistic
 * change and becomes the notice.
 */
import { useCallback, useState } from 'preact/hooks';
import type { MessageRow } from '../extension/store/schema.ts';
import { errorText } from '../extension/ui/error-text.ts';
import { t } from '../extension/ui/i18n.ts';
import { send } from '../extension/ui/send.ts';

/** The running undo offer. */
export interface UndoOffer {
  token: string;
  ids: string[];
}

export interface MailActionDeps {
  hide(ids: readonly string[], hide: boolean): void;
  overrideSeen(id: string, value: boolean | undefined): void;
  /** Re-read the visible rows from the cache. */
  refresh(): void;
  /** Ask the background for the status again. */
  refreshStatus(): void;
  /** After an undo restored these messages. */
  onRestored(ids: readonly string[]): void;
}

export function useMailActions(deps: MailActionDeps) {
  const { hide, overrideSeen, refresh, refreshStatus, onRestored } = deps;
  const [notice, setNotice] = useState<string | null>(null);
  const [undo, setUndo] = useState<UndoOffer | null>(null);
  const [syncRunning, setSyncRunning] = useState(false);

  const setSeen = useCallback(
    (row: MessageRow, seen: boolean) => {
      overrideSeen(row.id, seen);
      send('setSeen', { ids: [row.id], seen }).catch((error: unknown) => {
        overrideSeen(row.id, undefined);
        setNotice(t('popup_mark_failed', errorText(error)));
      });
    },
    [overrideSeen],
  );

  const remove = useCallback(
    (row: MessageRow) => {
      hide([row.id], true);
      send('deleteMessages', { ids: [row.id] }).then(
        (reply) => setUndo({ token: reply.undo, ids: [row.id] }),
        (error: unknown) => {
          hide([row.id], false);
          setNotice(t('popup_delete_failed', errorText(error)));
        },
      );
    },
    [hide],
  );

  const undoDelete = useCallback(() => {
    if (!undo) return;
    const { token, ids } = undo;
    setUndo(null);
    send('undoDelete', { undo: token }).then(
      (reply) => {
        if (!reply.ok) {
          setNotice(t('popup_undo_expired'));
          return;
        }
        hide(ids, false);
        onRestored(ids);
        refresh();
      },
      (error: unknown) => setNotice(t('popup_undo_failed', errorText(error))),
    );
  }, [undo, hide, onRestored, refresh]);

  const sync = useCallback(() => {
    if (syncRunning) return;
    setSyncRunning(true);
    send('syncNow', {})
      .then(
        (reply) => {
          if (!reply.ok) setNotice(t('popup_sync_incomplete'));
        },
        (error: unknown) => setNotice(t('popup_sync_failed', errorText(error))),
      )
      .finally(() => {
        setSyncRunning(false);
        refreshStatus();
        refresh();
      });
  }, [syncRunning, refresh, refreshStatus]);

  return {
    notice,
    dismissNotice: useCallback(() => setNotice(null), []),
    undo,
    expireUndo: useCallback(() => setUndo(null), []),
    syncRunning,
    setSeen,
    remove,
    undoDelete,
    sync,
  };
}
