/**
 * Every event a shop's webhook receives is built here, one builder per type, each typed by
 * `ShopEvent` in shared/api-types.ts, so what is sent is written down in one place. The outbox
 * record is written in the same transaction as the change it reports (see webhook-deliverer.ts).
 */
import type { ShopEvent } from '../../../shared/api-types';
import type { LinkStatus } from '../../../shared/states';
import { maskId } from '../../../shared/mask';
import type { IdSource } from '../ids';
import { iso } from '../presenters/iso';
import { payerNameOf, payerNames } from '../presenters/payer-names';
import type { LinkRecord, NewEvent, OrderRecord, PaymentRecord, RefundRecord } from '../store/records';

/** The outbox record of an event for a shop, at `at`. */
function outboxEvent(ids: IdSource, shopId: string, event: ShopEvent, at: number): NewEvent {
  return { id: ids.newTimeOrderedId('evt', at), shopId, type: event.type, payload: event.data, createdAt: at };
}

/** `link.expired`: the link's time ran out (applied lazily on a read, or by the sweeper). */
export function linkExpiredEvent(ids: IdSource, link: LinkRecord, at: number): NewEvent {
  return outboxEvent(ids, link.shopId, { type: 'link.expired', data: { link_id: link.id, order_id: link.orderId, status: 'expired', at: iso(at) } }, at);
}

/** `link.revoked`: the shop withdrew the link. */
export function linkRevokedEvent(ids: IdSource, link: LinkRecord, at: number): NewEvent {
  return outboxEvent(ids, link.shopId, { type: 'link.revoked', data: { link_id: link.id, order_id: link.orderId, status: 'revoked', at: iso(at) } }, at);
}

/** What a `link.paid` event reports: the order as just marked paid, and the contribution that completed it. */
export interface LinkPaid {
  /** The order after the completing UPDATE. */
  order: OrderRecord;
  /** The link paid through (its id and mode). */
  link: LinkRecord;
  /** The link's status after it was marked paid. */
  linkStatus: LinkStatus;
  /** The payment that completed the order. */
  payment: PaymentRecord;
  /** All the order's payments; those whose money it kept are listed as payers. */
  payments: readonly PaymentRecord[];
}

/** `link.paid`: the order is fully paid. */
export function linkPaidEvent(ids: IdSource, paid: LinkPaid, at: number): NewEvent {
  const { order, link, payment } = paid;
  const names = payerNames(paid.payments);
  return outboxEvent(ids, order.shopId, {
    type: 'link.paid',
    data: {
      link_id: link.id,
      order_id: order.id,
      shop_order_id: order.shopOrderId,
      mode: link.mode,
      amount_total: order.amountTotal,
      amount_paid: order.amountPaid,
      paid_at: iso(payment.paidAt ?? at),
      status: paid.linkStatus,
      payers: paid.payments
        .filter((p) => p.keptAmount > 0)
        .map((p) => ({ payment_id: p.id, payer: maskId(p.payerOpenid), payer_name: payerNameOf(p, names), amount: p.keptAmount, paid_at: iso(p.paidAt ?? at) })),
    },
  }, at);
}

/** What a shop reads as a refund's reason: its own words when it gave some, else the kind. */
function reasonOf(refund: RefundRecord): string {
  return refund.note ?? refund.reason;
}

/** `payment.refunded`: a refund reached the friend who paid; `payments` (the order's) name the friend as the shop knows them. */
export function paymentRefundedEvent(ids: IdSource, refund: RefundRecord, payment: PaymentRecord, order: OrderRecord, at: number, payments: readonly PaymentRecord[] = [payment]): NewEvent {
  return outboxEvent(ids, refund.shopId, {
    type: 'payment.refunded',
    data: {
      payment_id: payment.id,
      refund_id: refund.id,
      order_id: order.id,
      link_id: payment.linkId,
      payer: maskId(payment.payerOpenid),
      payer_name: payerNameOf(payment, payerNames(payments)),
      amount: refund.amount,
      reason: reasonOf(refund),
      kind: refund.reason,
      refunded_at: iso(at),
    },
  }, at);
}

/** `order.refunded`: everything the order counted as paid went back to the friends who paid it. */
export function orderRefundedEvent(ids: IdSource, order: OrderRecord, refunds: readonly RefundRecord[], at: number): NewEvent {
  return outboxEvent(ids, order.shopId, {
    type: 'order.refunded',
    data: {
      order_id: order.id,
      shop_order_id: order.shopOrderId,
      status: order.status,
      amount_paid: order.amountPaid,
      amount_refunded: order.amountRefunded,
      refunded_at: iso(at),
      refunds: refunds.map((refund) => ({ refund_id: refund.id, payment_id: refund.paymentId, payer: maskId(refund.payerOpenid), amount: refund.amount })),
    },
  }, at);
}

/** `refund.abnormal`: a refund did not reach the payer (their account could not take it, or WeChat closed it); the shop handles it. */
export function refundAbnormalEvent(ids: IdSource, refund: RefundRecord & { status: 'abnormal' | 'closed' }, payment: PaymentRecord, at: number): NewEvent {
  return outboxEvent(ids, refund.shopId, {
    type: 'refund.abnormal',
    data: {
      refund_id: refund.id,
      payment_id: payment.id,
      order_id: refund.orderId,
      link_id: payment.linkId,
      payer: maskId(payment.payerOpenid),
      amount: refund.amount,
      reason: reasonOf(refund),
      kind: refund.reason,
      status: refund.status,
      at: iso(at),
    },
  }, at);
}
