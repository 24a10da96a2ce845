/**
 * What the mime-parse case (bench/cases/mime.ts) runs, bundled by esbuild with the extension's
 * postal-mime patch (scripts/postal-mime-patch.ts) as the background bundle has it.
 */
import PostalMime from 'postal-mime';
import { htmlToText } from '../extension/mail/mime/html-to-text.ts';
import { MAX_NESTED_MESSAGE_DEPTH, parseMessage } from '../extension/mail/mime/parse.ts';

export { parseMessage };

/**
 * The parse as it was before it was sliced: postal-mime's own parser, run to the end in one
 * go, with the options parseMessage gives it, on the message's buffer in place; the text.
 */
export async function parseUnsliced(raw: Uint8Array<ArrayBuffer>): Promise<string> {
  const email = await PostalMime.parse(raw.buffer, {
    attachmentEncoding: 'arraybuffer',
    maxRfc822NestingDepth: MAX_NESTED_MESSAGE_DEPTH,
  });
  return email.text ?? (email.html ? htmlToText(email.html) : '');
}
