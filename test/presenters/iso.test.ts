import { describe, expect, it } from 'vitest';
import { iso } from '../../server/src/presenters/iso';

/** A deterministic stream of numbers in [0, 1) (xorshift), so a failure names a reproducible time. */
function numbers(seed: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

describe('times on the wire', () => {
  it('writes every millisecond timestamp exactly as Date#toISOString does', () => {
    const next = numbers(20261202);
    for (let n = 0; n < 200_000; n++) {
      const ms = Math.floor(next() * 253_402_300_800_000);
      expect(iso(ms)).toBe(new Date(ms).toISOString());
    }
  });

  it('gets the edges of days, months, leap years and centuries right', () => {
    const edges = ['1970-01-01T00:00:00.000Z', '1999-12-31T23:59:59.999Z', '2000-02-29T12:00:00.000Z', '2000-03-01T00:00:00.000Z', '2024-02-29T23:59:59.999Z', '2100-02-28T23:59:59.999Z', '2100-03-01T00:00:00.000Z', '2026-12-02T18:05:07.009Z', '9999-12-31T23:59:59.999Z'];
    for (const text of edges) expect(iso(Date.parse(text))).toBe(text);
  });

  it('leaves times it does not write itself to Date: before 1970, from year 10000, fractions', () => {
    for (const ms of [-1, -62_135_596_800_000, 253_402_300_800_000, 1_764_698_400_000.5]) expect(iso(ms)).toBe(new Date(ms).toISOString());
  });
});
