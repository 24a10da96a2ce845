/**
 * The body of a message in the reader, through the shared ReaderBody: HTML sanitised into a
 * sandboxed frame (inline `cid:` images from the cached parts), or the text part with its links.
 */
import { useMemo } from 'preact/hooks';
import type { AttachmentPart } from '../extension/store/schema.ts';
import { t } from '../extension/ui/i18n.ts';
import { inlineImageUrls } from '../extension/ui/reader/inline-images.ts';
import { ReaderBody } from '../extension/ui/reader/reader-body.tsx';

export interface MessageBodyProps {
  html: string | null;
  text: string | null;
  parts: readonly AttachmentPart[];
  allowRemoteImages: boolean;
  onBlockedRemote(count: number): void;
}

export function MessageBody({ html, text, parts, allowRemoteImages, onBlockedRemote }: MessageBodyProps) {
  const cidUrls = useMemo(() => (html ? inlineImageUrls(parts) : undefined), [html, parts]);
  if (!html && !text?.trim()) return <p class="body-empty muted">{t('popup_body_empty')}</p>;
  return (
    <div class={html ? 'body-frame' : 'body-plain'}>
      <ReaderBody
        html={html}
        text={text}
        allowRemoteImages={allowRemoteImages}
        onBlockedRemote={onBlockedRemote}
        cidUrls={cidUrls}
        frameTitle={t('popup_message_body')}
      />
    </div>
  );
}
