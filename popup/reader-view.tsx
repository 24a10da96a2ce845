/**
 * One open message: Back, Mark as read/unread and Delete; the headers; the body (remote images
 * blocked unless asked for, for this message only); the attachments. Mount it with `key` set to
 * the message id so each message starts with remote images blocked.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { MessageRow } from '../extension/store/schema.ts';
import { t } from '../extension/ui/i18n.ts';
import type { AccountInfo } from './account-info.ts';
import { AttachmentList } from './attachment-list.tsx';
import type { CacheReader } from './cache.ts';
import { formatAddress, formatAddressList } from './format-address.ts';
import { formatFullDate } from './format-date.ts';
import { BackIcon, EnvelopeIcon, EnvelopeOpenIcon, TrashIcon } from './icons.tsx';
import { MessageBody } from './message-body.tsx';
import { rowTexts } from './message-row.tsx';
import { useBody } from './use-body.ts';

export interface ReaderViewProps {
  row: MessageRow;
  account: AccountInfo | undefined;
  cache: CacheReader;
  onBack(): void;
  onDelete(): void;
  onToggleRead(): void;
}

export function ReaderView({ row, account, cache, onBack, onDelete, onToggleRead }: ReaderViewProps) {
  const { state, retry } = useBody(cache, row);
  const [allowRemote, setAllowRemote] = useState(false);
  const [blocked, setBlocked] = useState(0);
  const heading = useRef<HTMLHeadingElement>(null);
  const { subject } = rowTexts(row);

  useEffect(() => {
    // Land on the subject, so a screen reader starts reading the message.
    heading.current?.focus({ preventScroll: true });
  }, []);

  const body = state.kind === 'ready' ? state.body : state.partial;
  // When it was sent, once the source is parsed; until then (and without a Date header) the
  // list's date, which for IMAP is when the server received it.
  const shownDate = body?.sent ?? row.date;
  return (
    <section class="reader" aria-labelledby="reader-subject">
      <div class="reader-toolbar">
        <button type="button" class="back-button" onClick={onBack}>
          <BackIcon />
          <span>{t('popup_back')}</span>
        </button>
        <span class="header-spacer" />
        <button
          type="button"
          class="icon-button"
          aria-label={row.seen ? t('popup_mark_unread') : t('popup_mark_read')}
          title={row.seen ? t('popup_mark_unread') : t('popup_mark_read')}
          onClick={onToggleRead}
        >
          {row.seen ? <EnvelopeIcon /> : <EnvelopeOpenIcon />}
        </button>
        <button
          type="button"
          class="icon-button danger"
          aria-label={t('popup_delete')}
          title={t('popup_delete')}
          onClick={onDelete}
        >
          <TrashIcon />
        </button>
      </div>
      <div class="reader-scroll">
        <h1 id="reader-subject" class="reader-subject" tabIndex={-1} ref={heading}>
          {subject}
        </h1>
        <dl class="reader-headers">
          <dt>{t('popup_header_from')}</dt>
          <dd>{row.from ? formatAddress(row.from) : t('popup_unknown_sender')}</dd>
          {row.to.length > 0 && (
            <>
              <dt>{t('popup_header_to')}</dt>
              <dd>{formatAddressList(row.to)}</dd>
            </>
          )}
          {row.cc.length > 0 && (
            <>
              <dt>{t('popup_header_cc')}</dt>
              <dd>{formatAddressList(row.cc)}</dd>
            </>
          )}
          <dt>{t('popup_header_date')}</dt>
          <dd>
            <time dateTime={new Date(shownDate).toISOString()}>{formatFullDate(shownDate)}</time>
          </dd>
          {account && (
            <>
              <dt>{t('popup_header_account')}</dt>
              <dd>
                <span class="account-dot" style={{ background: account.color }} aria-hidden="true" />
                {account.name}
              </dd>
            </>
          )}
        </dl>
        {blocked > 0 && !allowRemote && (
          <div class="remote-notice">
            <span>{t('popup_remote_blocked')}</span>
            <button type="button" onClick={() => setAllowRemote(true)}>
              {t('popup_load_remote')}
            </button>
          </div>
        )}
        {state.kind === 'error' && (
          <div class="body-error" role="alert">
            <span>{t('popup_body_failed', state.message)}</span>
            <button type="button" onClick={retry}>
              {t('popup_retry')}
            </button>
          </div>
        )}
        {body ? (
          <MessageBody
            html={body.html}
            text={body.text}
            parts={body.attachments}
            allowRemoteImages={allowRemote}
            onBlockedRemote={setBlocked}
          />
        ) : state.kind === 'error' ? (
          <div class="body-text body-preview">
            {row.preview}
            <p class="muted">{t('popup_body_preview_only')}</p>
          </div>
        ) : (
          <p class="body-loading muted" role="status">
            {t('popup_body_loading')}
          </p>
        )}
        {state.kind === 'loading' && body && (
          <p class="body-loading muted" role="status">
            {t('popup_body_loading')}
          </p>
        )}
        {state.kind === 'ready' && <AttachmentList parts={state.body.attachments} />}
      </div>
    </section>
  );
}
