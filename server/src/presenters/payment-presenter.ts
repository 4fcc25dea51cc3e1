/** Payments as the shop and the payer see them. Pure, below every feature, so any of them may present a payment. */
import type { Contribution, PaymentView } from '../../../shared/api-types';
import { maskId } from '../../../shared/mask';
import type { PaymentRecord } from '../store/records';
import { iso } from './iso';

/** Payments in which money moved. */
export const wasPaid = (payment: PaymentRecord): boolean => payment.paidAt !== null;

/** A paid contribution as the shop sees it (payer masked). */
export function presentContribution(payment: PaymentRecord): Contribution {
  return {
    payment_id: payment.id,
    link_id: payment.linkId,
    payer: maskId(payment.payerOpenid),
    amount: payment.amount,
    status: payment.status,
    paid_at: payment.paidAt === null ? null : iso(payment.paidAt),
    refunded_amount: payment.refundedAmount,
  };
}

/** A payment as its payer sees it. */
export function presentPayment(payment: PaymentRecord): PaymentView {
  return {
    id: payment.id,
    link_id: payment.linkId,
    status: payment.status,
    amount: payment.amount,
    created_at: iso(payment.createdAt),
    paid_at: payment.paidAt === null ? null : iso(payment.paidAt),
    refunded_amount: payment.refundedAmount,
    payable_until: iso(payment.payableUntil),
  };
}
