/** The watched-folder check boxes: the server's folders from the last test, plus any already watched. */

export interface FolderChoice {
  path: string;
  specialUse: string | null;
}

/**
 * INBOX first, then the server's folders in its order, then watched folders the server did
 * not list (so they can still be unticked). INBOX is matched case-insensitively (RFC 3501 §5.1).
 */
export function folderChoices(
  available: readonly FolderChoice[] | null,
  watched: readonly string[],
): FolderChoice[] {
  const isInbox = (path: string) => path.toUpperCase() === 'INBOX';
  const out: FolderChoice[] = [];
  const seen = new Set<string>();
  const add = (choice: FolderChoice) => {
    const key = isInbox(choice.path) ? 'INBOX' : choice.path;
    if (seen.has(key)) return;
    seen.add(key);
    out.push(choice);
  };
  const inbox = available?.find((f) => isInbox(f.path));
  add(inbox ?? { path: 'INBOX', specialUse: null });
  for (const folder of available ?? []) add(folder);
  for (const path of watched) add({ path, specialUse: null });
  return out;
}
