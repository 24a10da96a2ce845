/** "Now", ticking every minute: the list's dates say "today" relative to it, and an open popup stays right. */
import { useEffect, useState } from 'preact/hooks';

const TICK_MS = 60_000;

export function useClock(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), TICK_MS);
    return () => clearInterval(timer);
  }, []);
  return now;
}
