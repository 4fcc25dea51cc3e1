/** Lifecycle states, as docs/architecture.md, "Lifecycles" names them. */
export const orderStatuses = ['pending', 'paid', 'cancelled', 'closed'] as const;
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

/** The only currency the product handles. */
export const CURRENCY = 'CNY';
