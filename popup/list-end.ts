/** What the footer of the message list says: from the loaded pages and where older mail stands. */
import type { Loaded } from './message-pages.ts';
import type { OlderStatus } from './older-mail.ts';

/** The footer's state. */
export type ListEnd =
  /** The first page is being read. */
  | 'loading'
  /** More cached rows follow (read as the view nears them). */
  | 'more'
  /** Older mail is being (or is about to be) fetched from the server. */
  | 'older'
  /** Fetching older mail failed: the reason and "Try again". */
  | 'older-failed'
  /** Nothing older exists anywhere. */
  | 'no-older'
  /** The end of the cache, and whether older mail exists is not known. */
  | 'end'
  /** The same for one IMAP folder. */
  | 'end-of-folder'
  /** The memory cap stopped the list. */
  | 'capped';

/** The footer for the list as loaded; `folderOfImap` when the filter is one IMAP folder. */
export function listEnd(loaded: Loaded | null, older: OlderStatus, folderOfImap: boolean): ListEnd {
  if (loaded === null) return 'loading';
  if (loaded.capped) return 'capped';
  if (loaded.next !== null) return 'more';
  switch (older) {
    case 'pending':
    case 'loading':
      return 'older';
    case 'failed':
      return 'older-failed';
    case 'done':
      return 'no-older';
    case 'unknown':
      return folderOfImap ? 'end-of-folder' : 'end';
  }
}
