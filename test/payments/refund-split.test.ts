import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitRefund, type RefundShare } from '../../server/src/payments/refund-rules';

/** Contributions as a shop's order has them: what each paid (fen) and what is left of it after earlier refunds. */
const shares: fc.Arbitrary<RefundShare[]> = fc.array(
  fc.integer({ min: 1, max: 5_000_000 }).chain((weight) => fc.record({ weight: fc.constant(weight), left: fc.oneof(fc.constant(weight), fc.integer({ min: 0, max: weight })) })),
  { minLength: 1, maxLength: 8 },
);

/** Shares and an amount that fits in what they have left. */
const splits = shares.chain((list) => {
  const left = list.reduce((sum, share) => sum + share.left, 0);
  return fc.record({ shares: fc.constant(list), amount: fc.oneof(fc.integer({ min: 0, max: left }), fc.constant(left)) });
});

describe('splitting a refund over the contributions (properties)', () => {
  it('gives back exactly the amount, never more to a contribution than it has left, the same way every time', () => {
    fc.assert(
      fc.property(splits, ({ shares: list, amount }) => {
        const split = splitRefund(amount, list);
        expect(split).toHaveLength(list.length);
        expect(split.reduce((sum, part) => sum + part, 0)).toBe(amount);
        split.forEach((part, index) => {
          expect(Number.isSafeInteger(part)).toBe(true);
          expect(part).toBeGreaterThanOrEqual(0);
          expect(part).toBeLessThanOrEqual(list[index].left);
        });
        expect(splitRefund(amount, structuredClone(list))).toEqual(split);
      }),
      { numRuns: 2000 },
    );
  });

  it('stays within one fen of each exact share when nobody runs out', () => {
    fc.assert(
      fc.property(shares.map((list) => list.map((share) => ({ weight: share.weight, left: share.weight }))), fc.double({ min: 0, max: 1, noNaN: true }), (list, fraction) => {
        const total = list.reduce((sum, share) => sum + share.weight, 0);
        const amount = Math.floor(total * fraction);
        const split = splitRefund(amount, list);
        split.forEach((part, index) => expect(Math.abs(part - (amount * list[index].weight) / total)).toBeLessThan(1));
      }),
      { numRuns: 1000 },
    );
  });

  it('refuses an amount above what the contributions have left', () => {
    fc.assert(
      fc.property(shares, fc.integer({ min: 1, max: 1000 }), (list, over) => {
        const left = list.reduce((sum, share) => sum + share.left, 0);
        expect(() => splitRefund(left + over, list)).toThrow(RangeError);
      }),
    );
  });
});

describe('splitting a refund over the contributions (examples)', () => {
  it('refunds 500 of 600 + 400 as 300 and 200', () => {
    expect(splitRefund(500, [{ weight: 600, left: 600 }, { weight: 400, left: 400 }])).toEqual([300, 200]);
  });

  it('gives an odd fen between two equal contributions to the latest payment', () => {
    expect(splitRefund(1, [{ weight: 500, left: 500 }, { weight: 500, left: 500 }])).toEqual([0, 1]);
    expect(splitRefund(3, [{ weight: 300, left: 300 }, { weight: 300, left: 300 }, { weight: 300, left: 300 }, { weight: 300, left: 300 }])).toEqual([0, 1, 1, 1]);
  });

  it('gives the rest by largest remainder: 10 over three equal thirds is 3, 3 and 4 (the latest)', () => {
    const third = { weight: 10, left: 10 };
    expect(splitRefund(10, [third, third, third])).toEqual([3, 3, 4]);
    expect(splitRefund(10, [{ weight: 700, left: 700 }, { weight: 200, left: 200 }, { weight: 100, left: 100 }])).toEqual([7, 2, 1]);
  });

  it('moves what a contribution cannot take (it was partly refunded before) to the others, in proportion', () => {
    // 500 and 500 paid; the first has only 100 left: it gives 100, the second the other 300.
    expect(splitRefund(400, [{ weight: 500, left: 100 }, { weight: 500, left: 500 }])).toEqual([100, 300]);
    expect(splitRefund(600, [{ weight: 500, left: 0 }, { weight: 300, left: 300 }, { weight: 300, left: 300 }])).toEqual([0, 300, 300]);
  });
});
