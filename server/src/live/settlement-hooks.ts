/**
 * What payments/ calls inside its money transactions so the chat hears of them in the same
 * transaction: a contribution applied (the card's new count, "friend paid" to the shopper) and a
 * refund written ("refund on its way" to its payer). Nothing here calls WeChat: it only writes
 * the outboxes the messenger sends from.
 */
import type { ServiceDeps } from '../service-deps';
import type { LinkRecord, PaymentRecord, RefundRecord } from '../store/records';
import type { StoreTx } from '../store/store';
import { contributionsOf, queueContributionUpdate } from './card-updates';
import { queueFriendPaidNotice, queueRefundNotice } from './notices';

/**
 * A payment's money was kept by the order (in `tx`). `link` is the link as it was before the
 * payment; `orderPaid` says whether this contribution completed the order (then the link's end
 * updates the card, final, with this count). `shopperOpenid` is the link's shopper as read with it.
 */
export async function onContributionApplied(
  deps: Pick<ServiceDeps, 'ids' | 'keyring'>,
  tx: StoreTx,
  change: { link: LinkRecord; payment: PaymentRecord; orderPaid: boolean; now: number; shopperOpenid: string | null },
): Promise<void> {
  const { link, payment, orderPaid, now } = change;
  if (!orderPaid && link.status === 'active') {
    const memberCount = contributionsOf(link.id, await tx.listPaymentsOfOrder(payment.orderId));
    await queueContributionUpdate(tx, link, memberCount, now);
  }
  await queueFriendPaidNotice(deps, tx, link, payment, change.shopperOpenid, now);
}

/** A refund of `payment` was written (in `tx`): its payer hears of it if they subscribed. */
export async function onRefundCreated(deps: Pick<ServiceDeps, 'ids' | 'keyring'>, tx: StoreTx, refund: RefundRecord, payment: Pick<PaymentRecord, 'linkId'>, now: number): Promise<void> {
  await queueRefundNotice(deps, tx, refund, payment.linkId, now);
}
