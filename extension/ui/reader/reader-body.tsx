/**
 * The body of a message in the reader: HTML in a sandboxed, CSP-locked iframe, or plain text
 * with its links made clickable. Nothing from the message runs, and nothing loads unless
 * `allowRemoteImages` (remote images only; never scripts, frames, fonts or stylesheets).
 */
import { useEffect, useMemo } from 'preact/hooks';
import { sanitizeMailHtml } from '../sanitize.ts';
import { frameDocument, READER_FRAME_SANDBOX } from './frame-document.ts';
import { linkify } from './linkify.ts';

/** Props of ReaderBody. */
export interface ReaderBodyProps {
  /** The HTML part as sent (unsanitised); null or absent for a text-only message. */
  html?: string | null;
  /** The text part (or the text of the HTML); shown when there is no HTML. */
  text: string | null;
  /** Load remote images: the user's "Load remote images" choice for this message. */
  allowRemoteImages: boolean;
  /** Called after each render of HTML with how many remote images were held back (0 when none). */
  onBlockedRemote(count: number): void;
  /** Content-ID → data: URL of inline parts (see inline-images.ts), for `cid:` images. */
  cidUrls?: ReadonlyMap<string, string>;
  /** Accessible name of the frame, e.g. the localised "Message body". */
  frameTitle?: string;
}

/**
 * The frame fills the reader pane and scrolls by itself: a script-less cross-origin frame cannot
 * report its content height, so it cannot be sized to fit.
 */
const FRAME_STYLE = {
  display: 'block',
  width: '100%',
  height: '100%',
  minHeight: '16rem',
  flex: '1 1 auto',
  border: '0',
  background: '#fff',
};

const TEXT_STYLE = {
  margin: '0',
  padding: '12px',
  whiteSpace: 'pre-wrap',
  overflowWrap: 'anywhere',
  font: 'inherit',
};

/** The message body: sandboxed HTML, or text with safe links. */
export function ReaderBody({
  html,
  text,
  allowRemoteImages,
  onBlockedRemote,
  cidUrls,
  frameTitle,
}: ReaderBodyProps) {
  const sanitized = useMemo(
    () => (html ? sanitizeMailHtml(html, { allowRemoteImages, cidUrls }) : null),
    [html, allowRemoteImages, cidUrls],
  );
  const blocked = sanitized?.blockedRemote ?? 0;
  useEffect(() => {
    onBlockedRemote(blocked);
    // only when the count may have changed, not on every new callback identity
  }, [sanitized]);
  const runs = useMemo(() => (sanitized ? [] : linkify(text ?? '')), [sanitized, text]);

  if (sanitized) {
    return (
      <iframe
        class="biff-reader-frame"
        title={frameTitle}
        sandbox={READER_FRAME_SANDBOX}
        referrerpolicy="no-referrer"
        srcdoc={frameDocument(sanitized.html, allowRemoteImages)}
        style={FRAME_STYLE}
      />
    );
  }
  return (
    <pre class="biff-reader-text" style={TEXT_STYLE}>
      {runs.map((run, i) =>
        run.href ? (
          <a key={i} href={run.href} target="_blank" rel="noopener noreferrer">
            {run.text}
          </a>
        ) : (
          run.text
        ),
      )}
    </pre>
  );
}
