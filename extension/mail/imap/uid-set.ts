/**
 * UID sets as IMAP writes them (RFC 3501 §9 `sequence-set`), built from lists of UIDs. Pure.
 */

/** A compact sequence set for `uids` (any order, duplicates allowed), e.g. `1:3,7,9:10`; '' when empty. */
export function toSequenceSet(uids: Iterable<number>): string {
  const sorted = [...new Set(uids)].sort((a, b) => a - b);
  const parts: string[] = [];
  let start: number | undefined;
  let end = 0;
  for (const uid of sorted) {
    if (start !== undefined && uid === end + 1) {
      end = uid;
      continue;
    }
    if (start !== undefined) parts.push(start === end ? `${start}` : `${start}:${end}`);
    start = uid;
    end = uid;
  }
  if (start !== undefined) parts.push(start === end ? `${start}` : `${start}:${end}`);
  return parts.join(',');
}

/** Splits `uids` into chunks of at most `size`, newest (highest UID) chunk first, each sorted descending. */
export function chunksNewestFirst(uids: readonly number[], size: number): number[][] {
  if (!Number.isInteger(size) || size < 1) throw new RangeError('chunk size must be a positive integer');
  const sorted = [...new Set(uids)].sort((a, b) => b - a);
  const chunks: number[][] = [];
  for (let i = 0; i < sorted.length; i += size) chunks.push(sorted.slice(i, i + size));
  return chunks;
}
