/**
 * Reading a BODYSTRUCTURE (RFC 3501 §7.4.2, as imapflow parses it): which part holds the text a
 * preview is made from, and whether the message has attachments. Pure.
 */
import type { MessageStructureObject } from 'imapflow';

/** The part a preview is made from, and how to decode it. */
export interface TextPart {
  /** Section number for BODY.PEEK[...]; '1' for a message that is not multipart (RFC 3501 §6.4.5). */
  part: string;
  type: 'text/plain' | 'text/html';
  /** Content-Transfer-Encoding, lower case; '7bit' when absent. */
  encoding: string;
  /** Charset parameter, lower case; 'utf-8' when absent. */
  charset: string;
  /** Encoded size in octets, as the server reports it. */
  size: number;
}

function isAttachmentLeaf(node: MessageStructureObject): boolean {
  return node.disposition === 'attachment';
}

function leaf(node: MessageStructureObject): TextPart | null {
  if (node.type !== 'text/plain' && node.type !== 'text/html') return null;
  if (isAttachmentLeaf(node)) return null;
  return {
    part: node.part ?? '1',
    type: node.type,
    encoding: (node.encoding ?? '7bit').toLowerCase(),
    charset: (node.parameters?.charset ?? 'utf-8').toLowerCase(),
    size: node.size ?? 0,
  };
}

/**
 * The first body text in reading order; inside multipart/alternative the text/plain version is
 * preferred (cheaper to fetch and to turn into a preview than HTML). Forwarded messages
 * (message/rfc822) and attachments are not the body.
 */
export function findTextPart(node: MessageStructureObject): TextPart | null {
  if (node.type.startsWith('multipart/')) {
    const children = node.childNodes ?? [];
    if (node.type === 'multipart/alternative') {
      const found = children.map(findTextPart).filter((p): p is TextPart => p !== null);
      return found.find((p) => p.type === 'text/plain') ?? found[0] ?? null;
    }
    for (const child of children) {
      const found = findTextPart(child);
      if (found) return found;
    }
    return null;
  }
  return leaf(node);
}

/**
 * Whether the list should show a paperclip: a part with `Content-Disposition: attachment`, a
 * forwarded message, or a non-text part outside multipart/related (whose parts are the images
 * of an HTML body, not attachments).
 */
export function hasAttachments(root: MessageStructureObject): boolean {
  const walk = (node: MessageStructureObject, inRelated: boolean, isRoot: boolean): boolean => {
    if (node.type.startsWith('multipart/')) {
      const related = inRelated || node.type === 'multipart/related';
      return (node.childNodes ?? []).some((child) => walk(child, related, false));
    }
    if (isAttachmentLeaf(node)) return true;
    if (isRoot) return !node.type.startsWith('text/');
    if (node.type === 'message/rfc822') return true;
    if (node.type.startsWith('text/')) return false;
    return !inRelated && node.disposition !== 'inline';
  };
  return walk(root, false, true);
}
