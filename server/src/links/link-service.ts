/** Pay links: issue, read (for the shop and for friends), revoke, and expire lazily on every read. */
import type { IssuedLinkResponse, LinkResponse } from '../../../shared/api-types';
import { formatYuan } from '../../../shared/money';
import { AppError } from '../errors/app-error';
import { settleOrder } from '../orders/order-service';
import { presentLink } from '../presenters/link-presenter';
import type { ServiceDeps } from '../service-deps';
import type { FriendLinkView, LinkAudience, LinkLiveRecord, LinkRecord, OrderRecord, ShopRecord } from '../store/records';
import { linkExpiredEvent, linkRevokedEvent } from '../webhooks/webhook-events';
import { signLinkCode } from './link-code';
import { verifyLinkRef } from './link-ref';
import { signLinkToken } from './link-token';
import type { LinkInputBody } from './link-schema';
import { miniProgramShare } from './link-wechat-service';

/** What a shop shares a link with: every field an issued link adds to the link's status. */
export type LinkShareMaterial = Omit<IssuedLinkResponse, keyof LinkResponse>;
import { DEFAULT_GROUP_ROOM_LIMIT, newLinkLive } from './link-audience';
import { signShopperToken } from './shopper-token';

/** Link lifetime bounds and default, in seconds (docs/architecture.md, "Lifecycles"). */
export const LINK_TTL = { min: 60, max: 7 * 24 * 3600, default: 24 * 3600 } as const;
/** Link ids are short so the code (`<id>.<mac>`) fits in 32 characters with a 90-bit MAC. */
const LINK_ID_LENGTH = 12;

/** Whether an active link's time is up but its row does not say so yet. */
function isDue(link: LinkRecord, now: number): boolean {
  return link.status === 'active' && link.expiresAt <= now;
}

/** Expires the link if its time is up (the lazy half of expiry; the sweeper is the other). */
export async function settleLink(deps: ServiceDeps, link: LinkRecord): Promise<LinkRecord> {
  const now = deps.clock.now();
  if (!isDue(link, now)) return link;
  const expired = await deps.store.transitionLink({
    id: link.id,
    from: ['active'],
    to: 'expired',
    at: now,
    event: linkExpiredEvent(deps.ids, link, now),
  });
  if (expired) deps.metrics.linksExpired(1);
  return expired ?? (await deps.store.getLink(link.id)) ?? link;
}

/**
 * The share material of a link: token, code, url, share card, QR and the OpenSDK share. The same
 * every time it is asked for (the token's `iat` is the link's creation), so a shop that lost the
 * issue response gets it all back from `GET /v1/links/{id}`.
 */
export function linkShareMaterial(deps: ServiceDeps, link: LinkRecord, order: OrderRecord): LinkShareMaterial {
  const token = signLinkToken(deps.keyring, { linkId: link.id, orderId: link.orderId, expiresAt: link.expiresAt }, link.createdAt);
  const code = signLinkCode(deps.keyring, link.id);
  const url = `${deps.publicBaseUrl}/p/${code}`;
  const share = {
    title: `帮我付一下：${formatYuan(order.amountTotal - order.amountPaid)}`,
    path: `/pages/pay/index?t=${token}`,
    // WeChat draws a screenshot of the page when imageUrl is empty; an item picture is better.
    imageUrl: order.items.find((item) => item.image_url)?.image_url ?? '',
  };
  return {
    token,
    code,
    url,
    share,
    qr_url: `${deps.publicBaseUrl}/v1/links/${link.id}/qr.png`,
    mini_program: miniProgramShare(deps, url, share.path),
  };
}

/** Issues a link for a pending order of this shop. */
export async function issueLink(
  deps: ServiceDeps,
  shop: ShopRecord,
  orderId: string,
  input: LinkInputBody,
): Promise<IssuedLinkResponse> {
  const ttl = input.ttl_seconds ?? LINK_TTL.default;
  if (!Number.isInteger(ttl) || ttl < LINK_TTL.min || ttl > LINK_TTL.max) {
    throw new AppError('TTL_INVALID', `ttl_seconds must be a whole number from ${LINK_TTL.min} to ${LINK_TTL.max}.`, {
      errors: [{ path: 'ttl_seconds', message: `must be from ${LINK_TTL.min} to ${LINK_TTL.max}` }],
    });
  }
  const stored = await deps.store.getOrder(orderId);
  if (stored === undefined || stored.shopId !== shop.id) throw new AppError('ORDER_NOT_FOUND', `No order ${orderId} for this shop.`);
  const order = await settleOrder(deps, stored);
  if (order.status !== 'pending') throw new AppError('ORDER_NOT_PENDING', `Order ${order.id} is ${order.status}; links can be issued only for pending orders.`);
  const now = deps.clock.now();
  const link: LinkRecord = {
    id: deps.ids.newId('lnk', LINK_ID_LENGTH),
    orderId: order.id,
    shopId: shop.id,
    mode: input.mode ?? 'single',
    status: 'active',
    requesterId: input.requester.id,
    requesterName: input.requester.name,
    requesterAvatarUrl: input.requester.avatar_url ?? null,
    message: input.message ?? null,
    // Whole seconds, as in the token's `exp`, so the two never disagree.
    expiresAt: Math.floor(Math.min(now + ttl * 1000, order.payDeadline) / 1000) * 1000,
    createdAt: now,
    closedAt: null,
  };
  // Written first (it has no foreign key): a link never exists without the audience it was issued for.
  const live = newLinkLive(link, input);
  await deps.store.insertLinkLive(live);
  await deps.store.insertLink(link);
  deps.metrics.linkIssued();
  return { ...presentLink(link, order), ...linkShareMaterial(deps, link, order), ...shopperMaterial(deps, link, live) };
}

/** What issued links and `GET /v1/links/{id}` add for the shopper: the link's audience, its card's room limit, the shopper token. */
export function shopperMaterial(deps: ServiceDeps, link: LinkRecord, live: Pick<LinkLiveRecord, 'audience' | 'roomLimit'> | undefined): { audience: LinkAudience; room_limit: number; shopper_token: string } {
  return {
    audience: live?.audience ?? 'group',
    room_limit: live?.roomLimit ?? (link.mode === 'single' ? 1 : DEFAULT_GROUP_ROOM_LIMIT),
    shopper_token: signShopperToken(deps.keyring, link.id, link.expiresAt, deps.clock.now()),
  };
}

/** A link of this shop (expired lazily) with its order; 404 for anyone else's. */
export async function getLinkForShop(deps: ServiceDeps, shop: ShopRecord, linkId: string): Promise<{ link: LinkRecord; order: OrderRecord }> {
  const view = await deps.store.getLinkView(linkId);
  if (view === undefined || view.link.shopId !== shop.id) throw new AppError('LINK_NOT_FOUND', `No link ${linkId} for this shop.`);
  return { link: await settleLink(deps, view.link), order: await settleOrder(deps, view.order) };
}

/** Revokes an active link; revoking one already unusable changes nothing; a paid one is 409. */
export async function revokeLink(deps: ServiceDeps, shop: ShopRecord, linkId: string): Promise<LinkResponse> {
  const { link, order } = await getLinkForShop(deps, shop, linkId);
  if (link.status === 'paid') throw new AppError('LINK_PAID', 'This link has been paid and cannot be revoked.');
  if (link.status !== 'active') return presentLink(link, order);
  const now = deps.clock.now();
  const revoked = await deps.store.transitionLink({
    id: link.id,
    from: ['active'],
    to: 'revoked',
    at: now,
    event: linkRevokedEvent(deps.ids, link, now),
  });
  if (revoked === undefined) {
    // Someone else changed it first (paid, expired): report what it is now.
    const current = await getLinkForShop(deps, shop, linkId);
    if (current.link.status === 'paid') throw new AppError('LINK_PAID', 'This link has been paid and cannot be revoked.');
    return presentLink(current.link, current.order);
  }
  return presentLink(revoked, order);
}

/** Reads the link a friend's ref names, with its order's payments: signature first, then exactly one store read. */
export async function readFriendLink(deps: ServiceDeps, ref: string): Promise<FriendLinkView> {
  const linkId = verifyLinkRef(deps.keyring, ref, deps.clock.now());
  const view = await deps.store.getFriendLinkView(linkId);
  if (view === undefined) throw new AppError('LINK_NOT_FOUND', 'This pay link does not exist.');
  // The usual case, a link within its time, returns without another await (this is the hot path).
  if (!isDue(view.link, deps.clock.now())) return view;
  const link = await settleLink(deps, view.link);
  const order = link === view.link ? view.order : await settleOrder(deps, view.order);
  return Object.assign({}, view, { link, order });
}

