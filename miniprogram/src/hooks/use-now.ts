/** Re-renders every `intervalMs` while `active`, returning the local time: drives countdowns. */
import { useEffect, useState } from 'react';

/** The local time, refreshed every `intervalMs` while `active` (@default 1000 ms, active). */
export function useNow(intervalMs = 1000, active = true): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return undefined;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs, active]);
  return now;
}
