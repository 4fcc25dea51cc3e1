/** Re-renders every `intervalMs` while `active`, returning the local time: drives countdowns. */
import { useEffect, useState } from 'react';

/** The local time, refreshed every `intervalMs` while `active` (@default 1000 ms, active). */
export function useNow(intervalMs = 1000, active = true): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return undefined;
    // Catch up at once when (re)activated, on the next tick rather than inside the effect.
    const first = setTimeout(() => setNow(Date.now()), 0);
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => {
      clearTimeout(first);
      clearInterval(timer);
    };
  }, [intervalMs, active]);
  return now;
}
