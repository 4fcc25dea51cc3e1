/** Lifecycle states, as docs/architecture.md, "Lifecycles" names them. */
// `refunded`: paid, then everything paid went back to the friends who paid it.
export const orderStatuses = ['pending', 'paid', 'refunded', 'cancelled', 'closed'] as const;
/** Status of an order. */
export type OrderStatus = (typeof orderStatuses)[number];

export const linkStatuses = ['active', 'paid', 'expired', 'revoked', 'void'] as const;
/** Status of a pay link. */
export type LinkStatus = (typeof linkStatuses)[number];

export const linkModes = ['single', 'group'] as const;
/** `single`: one friend pays everything; `group`: several friends each pay a part. */
export type LinkMode = (typeof linkModes)[number];

export const paymentStatuses = ['created', 'paid', 'closed', 'failed', 'refunding', 'refunded'] as const;
/** Status of one friend's payment attempt. */
export type PaymentStatus = (typeof paymentStatuses)[number];

/**
 * Status of a refund: `pending` until WeChat Pay accepts it, `processing` until it settles, then
 * `succeeded`, or `abnormal` (the payer's account could not take it; the shop handles it) or
 * `closed` (WeChat closed it; nothing went back).
 */
export const refundStatuses = ['pending', 'processing', 'succeeded', 'abnormal', 'closed'] as const;
/** Status of a refund. */
export type RefundStatus = (typeof refundStatuses)[number];

/**
 * Why money goes back. `order_cancelled` and `after_sale` give back money the order counted
 * (its `amount_refunded`); the others return money it never counted (`amount_returned_unapplied`).
 */
export const refundKinds = ['order_cancelled', 'after_sale', 'over_contribution', 'link_unpayable', 'order_already_paid'] as const;
/** Why a refund was made. */
export type RefundKind = (typeof refundKinds)[number];

/** True for refunds that give back money the order counted as paid (they make its `amount_refunded`). */
export function isCountedRefund(kind: RefundKind): boolean {
  return kind === 'order_cancelled' || kind === 'after_sale';
}

/** The only currency the product handles. */
export const CURRENCY = 'CNY';
