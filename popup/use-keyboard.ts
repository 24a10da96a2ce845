/** Routes key presses anywhere in the popup through the keyboard map (keyboard.ts). */
import { useEffect, useRef } from 'preact/hooks';
import { type KeyAction, keyAction, type View } from './keyboard.ts';

export function useKeyboard(view: View, onAction: (action: KeyAction) => void): void {
  const handler = useRef(onAction);
  handler.current = onAction;
  useEffect(() => {
    const listener = (event: KeyboardEvent) => {
      // An input method composing text owns every key until it is done.
      if (event.defaultPrevented || event.isComposing) return;
      const el = event.target instanceof HTMLElement && event.target !== document.body ? event.target : null;
      const action = keyAction(
        {
          key: event.key,
          ctrlKey: event.ctrlKey,
          metaKey: event.metaKey,
          altKey: event.altKey,
          target: el && { tagName: el.tagName, isContentEditable: el.isContentEditable },
        },
        view,
      );
      if (!action) return;
      event.preventDefault();
      handler.current(action);
    };
    addEventListener('keydown', listener);
    return () => removeEventListener('keydown', listener);
  }, [view]);
}
