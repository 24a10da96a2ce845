/**
 * The popup's keyboard map, as a pure function of the key event and the current view, so the
 * map is tested without a DOM. Single keys follow the mail-client convention (Gmail, Thunderbird):
 * j/k move, Enter opens, m toggles read, # deletes, r refreshes, Esc goes back.
 */

/** What a key does. */
export type KeyAction =
  | 'next'
  | 'prev'
  | 'first'
  | 'last'
  | 'open'
  | 'toggle-read'
  | 'delete'
  | 'sync'
  | 'back';

/** Which screen the popup shows. */
export type View = 'list' | 'reader';

/** The parts of a KeyboardEvent the map reads. */
export interface KeyInput {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  /** Where the key was pressed; null for the document. */
  target: { tagName: string; isContentEditable?: boolean; type?: string } | null;
}

/** Controls whose own keys (typing, choosing, activating) must never be taken over. */
const EDITABLE = new Set(['INPUT', 'TEXTAREA', 'SELECT']);
/** Controls Enter and Space already activate. */
const ACTIVATABLE = new Set(['BUTTON', 'A', 'SUMMARY']);

const LIST_KEYS: Record<string, KeyAction> = {
  j: 'next',
  ArrowDown: 'next',
  k: 'prev',
  ArrowUp: 'prev',
  Home: 'first',
  End: 'last',
  Enter: 'open',
  m: 'toggle-read',
  '#': 'delete',
  Delete: 'delete',
  r: 'sync',
};

/**
 * In the reader the arrow keys, Home and End scroll the message, as everywhere else; j/k step
 * to the next or previous message.
 */
const READER_KEYS: Record<string, KeyAction> = {
  j: 'next',
  k: 'prev',
  m: 'toggle-read',
  '#': 'delete',
  Delete: 'delete',
  r: 'sync',
  Escape: 'back',
};

/** The action for a key press, or null to leave the key to the browser. */
export function keyAction(input: KeyInput, view: View): KeyAction | null {
  // Browser and OS shortcuts (Ctrl+R, Cmd+Delete, Alt+ArrowLeft…) stay theirs.
  if (input.ctrlKey || input.metaKey || input.altKey) return null;
  const target = input.target;
  if (target) {
    if (target.isContentEditable) return null;
    if (EDITABLE.has(target.tagName.toUpperCase())) {
      // Esc still leaves the reader from a focused select or field: they have no use for it.
      return view === 'reader' && input.key === 'Escape' ? 'back' : null;
    }
    if (ACTIVATABLE.has(target.tagName.toUpperCase()) && (input.key === 'Enter' || input.key === ' '))
      return null;
  }
  const map = view === 'list' ? LIST_KEYS : READER_KEYS;
  return Object.hasOwn(map, input.key) ? (map[input.key] ?? null) : null;
}
