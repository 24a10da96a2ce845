/**
 * One message in the list: sender, time, subject and preview, the account's colour stripe, and
 * for unread mail a dot and bold type. The row is the focusable list item (roving tabindex):
 * its name is sender and subject, and "Unread" is its description.
 */
import { Component } from 'preact';
import type { MessageRow as Row } from '../extension/store/schema.ts';
import { t } from '../extension/ui/i18n.ts';
import { senderLabel } from './format-address.ts';
import { formatListTime } from './format-date.ts';
import { ClipIcon } from './icons.tsx';

/** Id of the one hidden "Unread" text every unread row is described by. */
export const UNREAD_DESCRIPTION_ID = 'row-unread-description';

export interface MessageRowProps {
  row: Row;
  index: number;
  /** The account's colour, for the stripe. */
  color: string;
  selected: boolean;
  /** In the tab order: the selected row, or the first when none is. */
  tabbable: boolean;
  /** "Now" for the date column, fixed per render so rows agree. */
  now: number;
  /** Distance from the top of the list, px. */
  offset: number;
  height: number;
  onOpen(index: number): void;
  onSelect(index: number): void;
}

/** The text a row shows for its sender and subject (also its accessible name). */
export function rowTexts(row: Row): { sender: string; subject: string } {
  return {
    sender: senderLabel(row.from) || t('popup_unknown_sender'),
    subject: row.subject.trim() || t('popup_no_subject'),
  };
}

function MessageRowView(props: MessageRowProps) {
  const { row, index, color, selected, tabbable, now, offset, height, onOpen, onSelect } = props;
  const { sender, subject } = rowTexts(row);
  const unread = !row.seen;
  const classes = ['row'];
  if (unread) classes.push('unread');
  if (selected) classes.push('selected');
  return (
    // Keys are handled for the whole popup at the window (use-keyboard.ts): Enter opens the selected row.
    // biome-ignore lint/a11y/useKeyWithClickEvents: see above
    <li
      class={classes.join(' ')}
      data-id={row.id}
      aria-label={t('popup_row_name', sender, subject)}
      aria-describedby={unread ? UNREAD_DESCRIPTION_ID : undefined}
      aria-current={selected ? 'true' : undefined}
      tabIndex={tabbable ? 0 : -1}
      style={{ transform: `translateY(${offset}px)`, height: `${height}px`, '--account': color }}
      onClick={() => onOpen(index)}
      onFocus={() => {
        if (!selected) onSelect(index);
      }}
    >
      <span class="row-stripe" aria-hidden="true" />
      <div class="row-line">
        <span class="row-dot" aria-hidden="true" />
        <span class="row-sender">{sender}</span>
        {row.hasAttachments && (
          <span class="row-clip" aria-hidden="true">
            <ClipIcon />
          </span>
        )}
        <time class="row-time" dateTime={new Date(row.date).toISOString()}>
          {formatListTime(row.date, now)}
        </time>
      </div>
      <div class="row-subject">{subject}</div>
      <div class="row-preview">{row.preview}</div>
    </li>
  );
}

/** Rows re-render only when their own props change, not on every scroll frame. */
export class MessageRow extends Component<MessageRowProps> {
  override shouldComponentUpdate(next: MessageRowProps): boolean {
    const prev = this.props;
    for (const key of Object.keys(next) as (keyof MessageRowProps)[])
      if (prev[key] !== next[key]) return true;
    return false;
  }

  override render() {
    return <MessageRowView {...this.props} />;
  }
}
