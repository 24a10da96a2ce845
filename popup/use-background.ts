/**
 * The popup's live link to the background: the status of every account and the relay, sync
 * progress, the settings, and the `messages-changed` event. Started only after the first page
 * painted (`enabled`), so waking the worker never delays the cached list.
 */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { errorText, withTimeout } from '../extension/ui/error-text.ts';
import { onBackgroundEvent, send } from '../extension/ui/send.ts';
import { applyEvent, type BackgroundState, INITIAL_BACKGROUND } from './background-state.ts';

/**
 * How long `getStatus` may take before the popup says the background is not answering: a
 * stopped worker starts in well under a second, so this only trips when something is wrong.
 */
export const STATUS_TIMEOUT_MS = 5000;

/**
 * Subscribes once `enabled`; `onMessagesChanged` is called with the accounts whose mail changed.
 * Returns the state and `refresh`, which asks for the status again.
 */
export function useBackground(enabled: boolean, onMessagesChanged: (accountIds: string[]) => void) {
  const [state, setState] = useState<BackgroundState>(INITIAL_BACKGROUND);
  const changed = useRef(onMessagesChanged);
  changed.current = onMessagesChanged;
  const refreshRef = useRef<() => Promise<void>>(async () => {});

  useEffect(() => {
    if (!enabled) return;
    let live = true;
    const update = (f: (s: BackgroundState) => BackgroundState) => {
      if (live) setState(f);
    };
    const unsubscribe = onBackgroundEvent((event) => {
      if (event.biffEvent === 'messages-changed') changed.current(event.accountIds);
      update((s) => applyEvent(s, event));
    });
    const refresh = async () => {
      try {
        const status = await withTimeout(send('getStatus', {}), STATUS_TIMEOUT_MS);
        update((s) => ({
          ...s,
          statuses: status.accounts,
          totalUnread: status.totalUnread,
          relay: status.relay,
          locked: status.locked,
          error: null,
        }));
      } catch (error) {
        update((s) => ({ ...s, error: errorText(error) }));
      }
    };
    refreshRef.current = refresh;
    send('popupOpened', {}).catch((error: unknown) => {
      // Only "new since last look" depends on it; the status request reports a dead background.
      console.warn('popupOpened failed:', errorText(error));
    });
    void refresh();
    send('getSettings', {}).then(
      (reply) => update((s) => ({ ...s, settings: reply.settings, accounts: reply.accounts })),
      (error: unknown) => console.warn('getSettings failed:', errorText(error)),
    );
    return () => {
      live = false;
      unsubscribe();
    };
  }, [enabled]);

  const refresh = useCallback(() => refreshRef.current(), []);
  /** Enters the primary password; rejects with the background's reason (a wrong one says so). */
  const unlock = useCallback(async (password: string) => {
    await send('unlock', { password });
    await refreshRef.current();
  }, []);
  return { ...state, refresh, unlock };
}
