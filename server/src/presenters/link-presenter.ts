/** Links as the shop and a friend see them. Pure: store records in, API bodies out. */
import type { FriendView, LinkResponse } from '../../../shared/api-types';
import { maskName } from '../../../shared/mask';
import { isCountedRefund } from '../../../shared/states';
import type { LinkRecord, LinkView, OrderRecord, PaymentRecord, RefundRecord } from '../store/records';
import { iso } from './iso';
import { maskedPayerNameOf, payerNameOf, payerNames } from './payer-names';
import { presentContribution, presentPayment, wasPaid } from './payment-presenter';

/** What the order still asks of friends: nothing once it is no longer pending. */
function amountDue(order: OrderRecord): number {
  return order.status === 'pending' ? Math.max(0, order.amountTotal - order.amountPaid) : 0;
}

function amounts(order: OrderRecord): { amount_total: number; amount_paid: number; amount_due: number } {
  return { amount_total: order.amountTotal, amount_paid: order.amountPaid, amount_due: amountDue(order) };
}

/** The shop's view of a link, with the contributions made through it. */
export function presentLink(link: LinkRecord, order: OrderRecord, payments: readonly PaymentRecord[] = []): LinkResponse {
  const names = payerNames(payments);
  return {
    id: link.id,
    order_id: link.orderId,
    status: link.status,
    mode: link.mode,
    expires_at: iso(link.expiresAt),
    created_at: iso(link.createdAt),
    message: link.message,
    requester: { id: link.requesterId, name: link.requesterName, avatar_url: link.requesterAvatarUrl },
    ...amounts(order),
    contributions: payments.filter((payment) => payment.linkId === link.id && wasPaid(payment)).map((payment) => presentContribution(payment, names)),
  };
}

/**
 * Who reads a friend view: a friend (by openid when they sent their session, else anonymous), or
 * the shopper, who asked these friends to pay and reads every name in full.
 */
export type FriendViewReader = { friend: string | undefined } | 'shopper';

/**
 * What a friend sees for a link, whatever its status. `payments` and `refunds` are the order's.
 */
export function presentFriendView(view: LinkView, payments: readonly PaymentRecord[], reader: FriendViewReader, now: number, url: string, refunds: readonly RefundRecord[] = []): FriendView {
  const viewer = reader === 'shopper' ? undefined : reader.friend;
  const { link, order } = view;
  const open = payments.filter((payment) => payment.status === 'created');
  const ofLink = payments.filter((payment) => payment.linkId === link.id);
  const names = payerNames(payments);
  return {
    link: {
      status: link.status,
      mode: link.mode,
      expires_at: iso(link.expiresAt),
      message: link.message,
      requester: { name: maskName(link.requesterName), avatar_url: link.requesterAvatarUrl },
      paying: link.status === 'active' && ofLink.some((payment) => payment.status === 'created' && payment.leaseExpiresAt > now),
      url,
      // The public mini program code image lives under the short URL (README, "API (v1)").
      qr_url: `${url}/qr.png`,
    },
    shop: { name: view.shopName },
    order: {
      amount_total: order.amountTotal,
      amount_paid: order.amountPaid,
      amount_due: amountDue(order),
      amount_refunded: order.amountRefunded,
      amount_reserved: order.status === 'pending' ? open.reduce((sum, payment) => sum + payment.amount, 0) : 0,
      currency: order.currency,
      items: order.items,
      shop_order_id: order.shopOrderId,
    },
    contributions: ofLink
      .filter((payment) => payment.keptAmount > 0 && payment.paidAt !== null)
      .map((payment) => ({
        // The shopper reads every name in full; each friend their own, everyone else's masked.
        payer: reader === 'shopper' || (viewer !== undefined && payment.payerOpenid === viewer) ? payerNameOf(payment, names) : maskedPayerNameOf(payment, names),
        amount: payment.keptAmount,
        paid_at: iso(payment.paidAt ?? now),
        refunded_amount: refunds.filter((r) => r.paymentId === payment.id && r.status === 'succeeded' && isCountedRefund(r.reason)).reduce((sum, r) => sum + r.amount, 0),
      })),
    my_payments: viewer === undefined ? [] : ofLink.filter((payment) => payment.payerOpenid === viewer).map((payment) => presentPayment(payment, refunds)),
    server_time: iso(now),
  };
}
