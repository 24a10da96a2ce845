/**
 * "Message deleted — Undo" for a few seconds after a delete. The countdown pauses while the
 * pointer or focus is on the bar, so nobody loses the undo while reaching for it (WCAG 2.2.1).
 */
import { useEffect, useRef } from 'preact/hooks';
import { t } from '../extension/ui/i18n.ts';

/** How long the undo is offered; the background keeps its undo token valid a little longer. */
export const UNDO_MS = 6000;

export interface UndoBarProps {
  /** Changes for every new delete, restarting the countdown. */
  token: string;
  onUndo(): void;
  onExpire(): void;
}

export function UndoBar({ token, onUndo, onExpire }: UndoBarProps) {
  const expire = useRef(onExpire);
  expire.current = onExpire;
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const remaining = useRef(UNDO_MS);
  const startedAt = useRef(0);

  const start = () => {
    clearTimeout(timer.current);
    startedAt.current = Date.now();
    timer.current = setTimeout(() => expire.current(), remaining.current);
  };
  const pause = () => {
    if (timer.current === undefined) return;
    clearTimeout(timer.current);
    timer.current = undefined;
    remaining.current = Math.max(1000, remaining.current - (Date.now() - startedAt.current));
  };

  useEffect(() => {
    remaining.current = UNDO_MS;
    start();
    return () => clearTimeout(timer.current);
  }, [token]);

  return (
    <div
      class="snackbar"
      role="status"
      onMouseEnter={pause}
      onMouseLeave={start}
      onFocusIn={pause}
      onFocusOut={start}
    >
      <span>{t('popup_deleted')}</span>
      <button type="button" class="snackbar-action" onClick={onUndo}>
        {t('popup_undo')}
      </button>
    </div>
  );
}
