import { describe, expect, it } from 'vitest';
import { randomBase62, randomIds } from '../../server/src/ids';

describe('random identifiers', () => {
  it('are base62 of the asked length, never repeat, and use every letter about equally', () => {
    const ids = Array.from({ length: 20_000 }, () => randomIds.newId('lnk'));
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids.slice(0, 100)) expect(id).toMatch(/^lnk_[0-9A-Za-z]{16}$/);
    // 320,000 letters over 62: about 5,161 each; a biased modulo would give the first 8 letters ~25% more.
    const counts = new Map<string, number>();
    for (const letter of ids.join('').replace(/lnk_/g, '')) counts.set(letter, (counts.get(letter) ?? 0) + 1);
    expect(counts.size).toBe(62);
    const expected = (ids.length * 16) / 62;
    for (const count of counts.values()) expect(Math.abs(count - expected) / expected).toBeLessThan(0.1);
  });

  it('makes long tokens across the random pool\'s refills', () => {
    const long = randomBase62(10_000);
    expect(long).toMatch(/^[0-9A-Za-z]{10000}$/);
    expect(randomBase62(10_000)).not.toBe(long);
  });
});
