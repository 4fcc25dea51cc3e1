/** An order as the shop sees it, with its payers and refunds. Pure: store records in, API body out. */
import type { OrderResponse, OrderSummary } from '../../../shared/api-types';
import { isCountedRefund } from '../../../shared/states';
import type { OrderRecord, PaymentRecord, RefundRecord } from '../store/records';
import { iso } from './iso';
import { payerNames } from './payer-names';
import { presentContribution, presentRefund, wasPaid } from './payment-presenter';

/** The shop's view of an order. */
export function presentOrder(order: OrderRecord, payments: readonly PaymentRecord[] = [], refunds: readonly RefundRecord[] = []): OrderResponse {
  const names = payerNames(payments);
  return {
    id: order.id,
    shop_order_id: order.shopOrderId,
    shopper_id: order.shopperId,
    status: order.status,
    amount_total: order.amountTotal,
    amount_paid: order.amountPaid,
    amount_refunded: order.amountRefunded,
    amount_returned_unapplied: refunds.filter((refund) => refund.status === 'succeeded' && !isCountedRefund(refund.reason)).reduce((sum, refund) => sum + refund.amount, 0),
    amount_due: order.status === 'pending' ? Math.max(0, order.amountTotal - order.amountPaid) : 0,
    currency: order.currency,
    items: order.items,
    pay_deadline: iso(order.payDeadline),
    ship_to: order.shipTo,
    created_at: iso(order.createdAt),
    cancelled_at: order.cancelledAt === null ? null : iso(order.cancelledAt),
    payers: payments.filter(wasPaid).map((payment) => presentContribution(payment, names)),
    refunds: refunds.map((refund) => presentRefund(refund, payments)),
  };
}

/** An order in a list: without payers and refunds, which `GET /v1/orders/{id}` gives. */
export function presentOrderSummary(order: OrderRecord): OrderSummary {
  const { payers: _payers, refunds: _refunds, ...summary } = presentOrder(order);
  return summary;
}
