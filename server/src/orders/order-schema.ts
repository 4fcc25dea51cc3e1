/** What a shop may send for an order (README.md, "API (v1)"), compiled once at load. */
import { z } from 'zod';
import { MAX_ORDER_TOTAL_FEN } from '../../../shared/money';
import { orderStatuses } from '../../../shared/states';
import { httpUrl, text } from '../http/validation';

const fen = (max: number) => z.number().int('must be a whole number of fen').min(0, 'must not be negative').max(max, `must be at most ${max} fen`);

export const orderInputSchema = z.strictObject({
  shop_order_id: z.string().regex(/^[0-9A-Za-z_.:-]{1,64}$/, 'must be 1-64 characters of [0-9A-Za-z_.:-]'),
  shopper_id: text(1, 64),
  amount_total: fen(MAX_ORDER_TOTAL_FEN).min(1, 'must be at least 1 fen'),
  currency: z.literal('CNY', 'only CNY is supported').optional(),
  items: z
    .array(
      z.strictObject({
        title: text(1, 100),
        quantity: z.number().int('must be a whole number').min(1).max(9999),
        unit_price: fen(MAX_ORDER_TOTAL_FEN),
        image_url: httpUrl.optional(),
      }),
    )
    .min(1, 'an order needs at least one item')
    .max(100, 'an order has at most 100 items'),
  pay_deadline: z.iso.datetime({ offset: true, message: 'must be an RFC 3339 date-time, e.g. 2026-11-22T12:00:00Z' }),
  ship_to: z
    .strictObject({
      name: text(0, 100).optional(),
      phone: text(0, 32).optional(),
      address: text(0, 300).optional(),
    })
    .optional(),
});

/** A validated order body. */
export type OrderInputBody = z.infer<typeof orderInputSchema>;

/** Page sizes of `GET /v1/orders`. */
export const ORDER_PAGE = { default: 20, max: 100 } as const;

/** `GET /v1/orders` query: `status`, `cursor` (from the previous page's `next_cursor`), `limit`. */
export const orderListQuerySchema = z.strictObject({
  status: z.enum(orderStatuses).optional(),
  cursor: z.string().regex(/^[A-Za-z0-9_-]{1,200}$/, 'must be the next_cursor of a previous page').optional(),
  limit: z.string().regex(/^\d{1,3}$/, 'must be a whole number').transform(Number).pipe(z.number().int().min(1).max(ORDER_PAGE.max)).optional(),
});

/** A validated list query. */
export type OrderListQueryInput = z.infer<typeof orderListQuerySchema>;
