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

  it('makes time-ordered ids (webhook events) that sort by when they were made, as SQLite compares text, and never repeat', () => {
    const times = [0, 1, 61, 62, 3_843, 1_700_000_000_000, 1_700_000_000_001, Date.now(), 99_999_999_999_999];
    const ids = times.map((at) => randomIds.newTimeOrderedId('evt', at));
    for (const id of ids) expect(id).toMatch(/^evt_[0-9A-Za-z]{16}$/);
    // Byte order (SQLite's BINARY collation, PostgreSQL's "C"), not the locale's.
    expect([...ids].sort((a, b) => (Buffer.compare(Buffer.from(a), Buffer.from(b))))).toEqual(ids);
    const same = Array.from({ length: 10_000 }, () => randomIds.newTimeOrderedId('evt', 1_700_000_000_000));
    expect(new Set(same).size).toBe(same.length);
  });
});
