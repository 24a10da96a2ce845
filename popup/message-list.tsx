/**
 * The newest-first message list: a virtual list of message rows, the text at its end (loading
 * more or older mail, the end, the memory cap), the empty states, and moving focus to the
 * selected row when the keyboard moved the selection.
 */
import { useCallback, useEffect, useRef } from 'preact/hooks';
import type { MessageRow as Row } from '../extension/store/schema.ts';
import { t } from '../extension/ui/i18n.ts';
import { DEFAULT_ACCOUNT_COLOR } from './account-info.ts';
import type { ListEnd } from './list-end.ts';
import { MessageRow, UNREAD_DESCRIPTION_ID } from './message-row.tsx';
import { VirtualList } from './virtual-list.tsx';
import type { Range } from './virtual-window.ts';

/** Row height in px; the CSS lays a row out in exactly this (popup.css `--row-height`). */
export const ROW_HEIGHT = 64;
/** Rows rendered beyond each edge of the viewport. */
export const OVERSCAN = 6;

export interface MessageListProps {
  rows: readonly Row[];
  colors: ReadonlyMap<string, string>;
  selectedIndex: number;
  /** Changes when the selected row must be scrolled into view. */
  revealToken: number;
  /** Changes when the selected row must also take focus. */
  focusToken: number;
  end: ListEnd;
  /** The memory cap, for the `capped` end text. */
  cap: number;
  /** Why older mail could not be loaded, for the `older-failed` end. */
  olderError: string | null;
  onRetryOlder(): void;
  /** Text when there are no rows. */
  emptyText: string;
  initialScrollTop: number;
  now: number;
  onOpen(index: number): void;
  onSelect(index: number): void;
  onRange(range: Range): void;
  onScroll(scrollTop: number): void;
}

function endText(end: ListEnd, cap: number, olderError: string | null): string {
  switch (end) {
    case 'loading':
    case 'more':
    case 'older':
      return t('popup_list_loading');
    case 'older-failed':
      return t('popup_list_older_failed', olderError ?? t('ui_error_unknown'));
    case 'no-older':
      return t('popup_list_no_older');
    case 'end':
      return t('popup_list_end');
    case 'end-of-folder':
      return t('popup_end_of_folder');
    case 'capped':
      return t('popup_list_capped', cap.toLocaleString());
  }
}

export function MessageList(props: MessageListProps) {
  const { rows, colors, selectedIndex, now, onOpen, onSelect } = props;
  const root = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (props.focusToken === 0) return;
    // After the reveal's re-render the selected row is in the DOM; one frame more is a safety net.
    const focus = () => {
      const row = root.current?.querySelector<HTMLElement>('li[aria-current="true"]');
      row?.focus({ preventScroll: true });
      return row !== null && row !== undefined;
    };
    if (!focus()) requestAnimationFrame(focus);
  }, [props.focusToken]);

  const renderRow = useCallback(
    (row: Row, index: number, offset: number) => (
      <MessageRow
        key={row.id}
        row={row}
        index={index}
        color={colors.get(row.accountId) ?? DEFAULT_ACCOUNT_COLOR}
        selected={index === selectedIndex}
        tabbable={selectedIndex < 0 ? index === 0 : index === selectedIndex}
        now={now}
        offset={offset}
        height={ROW_HEIGHT}
        onOpen={onOpen}
        onSelect={onSelect}
      />
    ),
    [colors, selectedIndex, now, onOpen, onSelect],
  );

  if (rows.length === 0) {
    return (
      <div class="list-empty" ref={root}>
        <p>{props.end === 'loading' ? t('popup_cache_loading') : props.emptyText}</p>
      </div>
    );
  }
  return (
    <div class="list-area" ref={root}>
      <span id={UNREAD_DESCRIPTION_ID} hidden>
        {t('popup_row_unread')}
      </span>
      <VirtualList
        items={rows}
        rowHeight={ROW_HEIGHT}
        overscan={OVERSCAN}
        label={t('popup_list_label')}
        renderRow={renderRow}
        revealIndex={selectedIndex}
        revealToken={props.revealToken}
        initialScrollTop={props.initialScrollTop}
        onRange={props.onRange}
        onScroll={props.onScroll}
        footer={
          <div class={`list-end list-end-${props.end}`} role="status">
            <p>{endText(props.end, props.cap, props.olderError)}</p>
            {props.end === 'older-failed' && (
              <button type="button" onClick={props.onRetryOlder}>
                {t('popup_list_older_retry')}
              </button>
            )}
          </div>
        }
      />
    </div>
  );
}
