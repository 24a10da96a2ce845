/** Moving an account up or down the list. */

/** `list` with the item at `index` moved by `delta` places; the same array if it cannot move. */
export function moveItem<T>(list: readonly T[], index: number, delta: number): readonly T[] {
  const target = index + delta;
  if (index < 0 || index >= list.length || target < 0 || target >= list.length || delta === 0) return list;
  const next = [...list];
  const [item] = next.splice(index, 1);
  next.splice(target, 0, item as T);
  return next;
}
