/**
 * The attachments of the open message, with name and size; cached ones download from the body
 * store through an object URL (revoked when the list goes away).
 */
import { useEffect, useMemo } from 'preact/hooks';
import type { AttachmentPart } from '../extension/store/schema.ts';
import { t } from '../extension/ui/i18n.ts';
import { listedAttachments } from './attachments.ts';
import { formatSize } from './format-size.ts';
import { ClipIcon } from './icons.tsx';

export function AttachmentList({ parts }: { parts: readonly AttachmentPart[] }) {
  const listed = useMemo(() => listedAttachments(parts), [parts]);
  const urls = useMemo(
    () =>
      listed.map((p) =>
        // octet-stream: the file is saved, never shown as a page of the extension's origin.
        p.data ? URL.createObjectURL(new Blob([p.data.slice()], { type: 'application/octet-stream' })) : null,
      ),
    [listed],
  );
  useEffect(
    () => () => {
      for (const url of urls) if (url) URL.revokeObjectURL(url);
    },
    [urls],
  );
  if (listed.length === 0) return null;
  return (
    <section class="attachments" aria-labelledby="attachments-heading">
      <h2 id="attachments-heading" class="attachments-heading">
        <ClipIcon /> {t('popup_attachments')}
      </h2>
      <ul>
        {listed.map((part, i) => {
          const name = part.filename || t('popup_attachment_unnamed');
          const url = urls[i];
          return (
            <li key={`${i}:${name}`} class="attachment">
              {url ? (
                <a href={url} download={name} aria-label={t('popup_download', name)}>
                  {name}
                </a>
              ) : (
                <span class="attachment-name">{name}</span>
              )}
              <span class="attachment-size muted">
                {formatSize(part.size)}
                {url ? '' : ` · ${t('popup_attachment_not_cached')}`}
              </span>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
