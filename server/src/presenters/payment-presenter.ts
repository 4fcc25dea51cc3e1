/** Payments and refunds as the shop and the payer see them. Pure, below every feature, so any of them may present a payment. */
import type { Contribution, PaymentRefundView, PaymentView, RefundView } from '../../../shared/api-types';
import { maskId } from '../../../shared/mask';
import type { PaymentRecord, RefundRecord } from '../store/records';
import { iso } from './iso';
import { payerNameOf, payerNames } from './payer-names';

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

/**
 * A refund as the shop sees it: always to the friend who made the payment. `payments` (the
 * order's) name that friend as `Contribution.payer_name` does.
 */
export function presentRefund(refund: RefundRecord, payments: readonly PaymentRecord[] = []): RefundView {
  const payment = payments.find((p) => p.id === refund.paymentId);
  return {
    id: refund.id,
    payment_id: refund.paymentId,
    payer: maskId(refund.payerOpenid),
    payer_name: payment === undefined ? '' : payerNameOf(payment, payerNames(payments)),
    amount: refund.amount,
    reason: refund.note ?? refund.reason,
    kind: refund.reason,
    status: refund.status,
    created_at: iso(refund.createdAt),
    succeeded_at: refund.succeededAt === null ? null : iso(refund.succeededAt),
  };
}

/** A refund as the friend who paid sees it (no reason: that is between the shop and the shopper). */
function presentPaymentRefund(refund: RefundRecord): PaymentRefundView {
  return {
    id: refund.id,
    amount: refund.amount,
    status: refund.status,
    created_at: iso(refund.createdAt),
    succeeded_at: refund.succeededAt === null ? null : iso(refund.succeededAt),
  };
}

/** A payment as its payer sees it, with its refunds (`refunds` may hold other payments' too; only this one's are shown). */
export function presentPayment(payment: PaymentRecord, refunds: readonly RefundRecord[] = []): PaymentView {
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
    refunds: refunds.filter((refund) => refund.paymentId === payment.id).map(presentPaymentRefund),
  };
}
