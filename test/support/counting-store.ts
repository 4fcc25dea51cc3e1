/** Wraps a store and counts calls per method, to prove what a request did (or did not) read. */
import type { Store } from '../../server/src/store/store';

/** The wrapped store and its counters. */
export interface CountingStore {
  store: Store;
  calls: Map<string, number>;
  total(): number;
  reset(): void;
}

/** Counts every method call made on `inner`. */
export function countingStore(inner: Store): CountingStore {
  const calls = new Map<string, number>();
  const store = new Proxy(inner, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      return (...args: unknown[]) => {
        calls.set(property, (calls.get(property) ?? 0) + 1);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return {
    store,
    calls,
    total: () => [...calls.values()].reduce((sum, count) => sum + count, 0),
    reset: () => calls.clear(),
  };
}
