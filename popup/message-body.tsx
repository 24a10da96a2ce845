/**
 * The body of a message in the reader. Until the sandboxed HTML reader lands
 * (extension/ui/reader/reader-body.tsx), this shows text only: the text part, or the text of
 * the HTML part; no remote content is ever loaded, so nothing is reported blocked.
 */
import { t } from '../extension/ui/i18n.ts';
import { htmlToText } from './html-text.ts';

export interface MessageBodyProps {
  html: string | null;
  text: string | null;
  allowRemoteImages: boolean;
  onBlockedRemote(count: number): void;
}

export function MessageBody({ html, text }: MessageBodyProps) {
  const shown = text?.trim() ? text : html ? htmlToText(html) : '';
  return <div class="body-text">{shown || t('popup_body_empty')}</div>;
}
