/** Payments as the shop and the payer see them. Pure, below every feature, so any of them may present a payment. */
import type { Contribution, PaymentView } from '../../../shared/api-types';
import { maskId } from '../../../shared/mask';
import type { PaymentRecord } from '../store/records';
import { iso } from './iso';
import { payerNameOf } from './payer-names';

/** Payments in which money moved. */
export const wasPaid = (payment: PaymentRecord): boolean => payment.paidAt !== null;

/** A paid contribution as the shop sees it (WeChat id masked); `names` from `payerNames` of the order's payments. */
export function presentContribution(payment: PaymentRecord, names: ReadonlyMap<string, string>): Contribution {
  return {
    payment_id: payment.id,
    link_id: payment.linkId,
    payer: maskId(payment.payerOpenid),
    payer_name: payerNameOf(payment, names),
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
    transaction_id: payment.paidAt === null ? null : payment.transactionId,
    payer_name: payment.payerName,
  };
}
