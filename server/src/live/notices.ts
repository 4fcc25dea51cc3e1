/**
 * Subscribe messages (订阅消息): "friend paid" to the shopper per paid contribution, "link expires
 * in 1 h" to the shopper once, "refund on its way" to a payer per refund. Each takes one of the
 * recipient's subscriptions in the same transaction as the change it reports and writes one
 * message to the outbox (messenger.ts sends it): one message per subscription, and none without.
 *
 * The templates chosen in WeChat's console must have these keywords (README.md, "Live status in
 * the chat"): friend paid `thing1` shop, `amount2` amount, `thing3` friend, `time4` time; link
 * expiring `thing1` shop, `amount2` still due, `time3` expiry, `thing4` note; refund `thing1`
 * shop, `amount2` amount, `thing3` note.
 */
import { formatYuan } from '../../../shared/money';
import { maskId } from '../../../shared/mask';
import { signLinkCode } from '../links/link-code';
import { signShopperToken } from '../links/shopper-token';
import type { ServiceDeps } from '../service-deps';
import type { LinkRecord, OrderRecord, PaymentRecord, RefundRecord, SubscriptionKind } from '../store/records';
import type { StoreTx } from '../store/store';
import type { SubscribeMessageData } from '../wechat/platform/message-consts';

/** WeChat's `thing` keyword takes at most 20 characters. */
function thing(text: string): string {
  const chars = Array.from(text);
  return chars.length <= 20 ? text : `${chars.slice(0, 19).join('')}…`;
}

/** `2026年12月02日 12:00` in China time, as WeChat's `time` keyword shows it. */
export function chinaTime(ms: number): string {
  const at = new Date(ms + 8 * 3600_000);
  const two = (value: number): string => String(value).padStart(2, '0');
  return `${at.getUTCFullYear()}年${two(at.getUTCMonth() + 1)}月${two(at.getUTCDate())}日 ${two(at.getUTCHours())}:${two(at.getUTCMinutes())}`;
}

/** The shopper's page for a link: where their messages lead. */
export function shopperPage(deps: Pick<ServiceDeps, 'keyring'>, link: Pick<LinkRecord, 'id' | 'expiresAt'>, now: number): string {
  return `pages/share/index?s=${signShopperToken(deps.keyring, link.id, link.expiresAt, now)}`;
}

/** The friends' page for a link: where a payer's messages and a finished card lead. */
export function friendPage(deps: Pick<ServiceDeps, 'keyring'>, linkId: string): string {
  return `pages/pay/index?code=${signLinkCode(deps.keyring, linkId)}`;
}

/** Takes `openid`'s subscription for `kind` on the link and queues the message; false when they have none. */
async function queueNotice(
  deps: Pick<ServiceDeps, 'ids'>,
  tx: StoreTx,
  notice: { linkId: string; openid: string; kind: SubscriptionKind; page: string; data: SubscribeMessageData },
  now: number,
): Promise<boolean> {
  const subscription = await tx.takeSubscription(notice.linkId, notice.openid, notice.kind, now);
  if (subscription === undefined) return false;
  await tx.insertSubscribeMessage({
    id: deps.ids.newId('msg'),
    subscriptionId: subscription.id,
    linkId: notice.linkId,
    kind: notice.kind,
    touser: notice.openid,
    templateId: subscription.templateId,
    page: notice.page,
    data: notice.data,
    createdAt: now,
    attempts: 0,
    nextAttemptAt: now,
    doneAt: null,
    outcome: null,
    lastError: null,
  });
  return true;
}

/** "Friend paid": to the link's shopper, for a contribution just applied in `tx`. */
export async function queueFriendPaidNotice(deps: Pick<ServiceDeps, 'ids' | 'keyring'>, tx: StoreTx, link: LinkRecord, payment: PaymentRecord, shopperOpenid: string | null, now: number): Promise<void> {
  if (shopperOpenid === null) return;
  const shop = await tx.getShop(link.shopId);
  await queueNotice(deps, tx, {
    linkId: link.id,
    openid: shopperOpenid,
    kind: 'friend_paid',
    page: shopperPage(deps, link, now),
    data: {
      thing1: { value: thing(shop?.name ?? '好友代付') },
      amount2: { value: formatYuan(payment.keptAmount).replace(/,/g, '') },
      thing3: { value: thing(maskId(payment.payerOpenid)) },
      time4: { value: chinaTime(payment.paidAt ?? now) },
    },
  }, now);
}

/** "Refund on its way": to the payer of a refund just written in `tx`. */
export async function queueRefundNotice(deps: Pick<ServiceDeps, 'ids' | 'keyring'>, tx: StoreTx, refund: RefundRecord, linkId: string, now: number): Promise<void> {
  const shop = await tx.getShop(refund.shopId);
  await queueNotice(deps, tx, {
    linkId,
    openid: refund.payerOpenid,
    kind: 'refund',
    page: friendPage(deps, linkId),
    data: {
      thing1: { value: thing(shop?.name ?? '好友代付') },
      amount2: { value: formatYuan(refund.amount).replace(/,/g, '') },
      thing3: { value: '原路退回到你的微信支付' },
    },
  }, now);
}

/** "Link expires in 1 h": to the link's shopper, once (the caller marked it warned in `tx`). */
export async function queueExpiryNotice(deps: Pick<ServiceDeps, 'ids' | 'keyring'>, tx: StoreTx, link: LinkRecord, order: OrderRecord, shopperOpenid: string, now: number): Promise<boolean> {
  const shop = await tx.getShop(link.shopId);
  return queueNotice(deps, tx, {
    linkId: link.id,
    openid: shopperOpenid,
    kind: 'link_expiring',
    page: shopperPage(deps, link, now),
    data: {
      thing1: { value: thing(shop?.name ?? '好友代付') },
      amount2: { value: formatYuan(Math.max(0, order.amountTotal - order.amountPaid)).replace(/,/g, '') },
      time3: { value: chinaTime(link.expiresAt) },
      thing4: { value: '付款链接将在1小时内过期' },
    },
  }, now);
}
