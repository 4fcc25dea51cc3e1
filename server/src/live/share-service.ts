/**
 * The shopper's side of a link (README.md, "Live status in the chat"), reached with the shopper
 * token: their view (status, amounts, who paid, refunds, the card), binding their WeChat user to
 * the link (first binding wins), and the activity id `wx.updateShareMenu` shares the card with.
 */
import type { ActivityResponse, ShopperSessionResponse, ShopperView } from '../../../shared/api-types';
import { AppError } from '../errors/app-error';
import { roomLimitFor } from '../links/link-audience';
import { signLinkCode } from '../links/link-code';
import { linkShareMaterial, settleLink } from '../links/link-service';
import { verifyShopperToken } from '../links/shopper-token';
import { settleOrder } from '../orders/order-service';
import { iso } from '../presenters/iso';
import { presentFriendView } from '../presenters/link-presenter';
import { payerNameOf, payerNames } from '../presenters/payer-names';
import type { ServiceDeps } from '../service-deps';
import type { FriendLinkView, LinkAudience, LinkLiveRecord, LinkRecord } from '../store/records';
import { WechatPlatformError } from '../wechat/platform/platform-errors';
import { contributionsOf, presentCard, roomLimitNow, templateInfo } from './card-updates';

/** An activity id is shared again until this long before it expires; then a new one is made. */
export const ACTIVITY_REUSE_MARGIN_MS = 10 * 60 * 1000;

/** The link id a shopper token names; throws SHOPPER_TOKEN_INVALID otherwise (before any store read). */
export function verifyShopper(deps: Pick<ServiceDeps, 'keyring' | 'clock'>, token: string): string {
  const linkId = verifyShopperToken(deps.keyring, token, deps.clock.now());
  if (linkId === undefined) throw new AppError('SHOPPER_TOKEN_INVALID', 'This shopper link is malformed, expired, or its signature does not verify.');
  return linkId;
}

/** The link with its order and payments, expiry applied. */
async function readLink(deps: ServiceDeps, linkId: string): Promise<FriendLinkView> {
  const view = await deps.store.getFriendLinkView(linkId);
  if (view === undefined) throw new AppError('LINK_NOT_FOUND', 'This pay link does not exist.');
  const link = await settleLink(deps, view.link);
  const order = link === view.link ? view.order : await settleOrder(deps, view.order);
  return Object.assign({}, view, { link, order });
}

/** The link's chat settings; a link issued before they existed gets the defaults, once. */
async function ensureLinkLive(deps: ServiceDeps, link: LinkRecord): Promise<LinkLiveRecord> {
  const stored = await deps.store.getLinkLive(link.id);
  if (stored !== undefined) return stored;
  const fallback: LinkLiveRecord = { linkId: link.id, audience: 'group', roomLimit: roomLimitFor(link.mode, undefined), shopperOpenid: null, shopperBoundAt: null, expiringNoticeAt: null, createdAt: link.createdAt };
  try {
    await deps.store.insertLinkLive(fallback);
  } catch {
    // Another request wrote it first: read theirs.
  }
  return (await deps.store.getLinkLive(link.id)) ?? fallback;
}

/** `GET /v1/share/{shopper_token}`. `viewer` is the caller's openid when they sent a session. */
export async function readShopperView(deps: ServiceDeps, token: string, viewer: string | undefined): Promise<ShopperView> {
  const linkId = verifyShopper(deps, token);
  const view = await readLink(deps, linkId);
  const { link, order } = view;
  const [live, activities, updates, refunds] = await Promise.all([
    deps.store.getLinkLive(linkId),
    deps.store.listLinkActivities(linkId),
    deps.store.listCardUpdates(linkId),
    deps.store.listRefundsOfOrder(order.id),
  ]);
  const now = deps.clock.now();
  const material = linkShareMaterial(deps, link, order);
  const friendView = presentFriendView(view, view.payments, 'shopper', now, `${deps.publicBaseUrl}/p/${signLinkCode(deps.keyring, link.id)}`, refunds);
  const memberCount = contributionsOf(link.id, view.payments);
  const roomLimit = roomLimitNow(live, link, memberCount);
  const ofLink = new Map(view.payments.filter((payment) => payment.linkId === link.id).map((payment) => [payment.id, payment]));
  const names = payerNames(view.payments);
  const templates = deps.live?.templates;
  return Object.assign({}, friendView, {
    link: Object.assign({}, friendView.link, {
      id: link.id,
      audience: live?.audience ?? 'group',
      room_limit: live?.roomLimit ?? roomLimit,
      token: material.token,
      code: material.code,
      share: material.share,
    }),
    refunds: refunds
      .flatMap((refund) => {
        const payment = ofLink.get(refund.paymentId);
        // Refunds go back to the friend who paid: the shopper knows them by the name they paid under.
        return payment === undefined ? [] : [{ payer: payerNameOf(payment, names), amount: refund.amount, status: refund.status, created_at: iso(refund.createdAt) }];
      }),
    card: presentCard(activities, updates, { memberCount, roomLimit }),
    shopper: { bound: live?.shopperOpenid != null, ...(viewer === undefined ? {} : { you: live?.shopperOpenid === viewer }) },
    subscribe_templates: {
      ...(templates?.friendPaid === undefined ? {} : { friend_paid: templates.friendPaid }),
      ...(templates?.linkExpiring === undefined ? {} : { link_expiring: templates.linkExpiring }),
    },
  });
}

/** Binds `openid` as the link's shopper; 409 SHOPPER_BOUND when another WeChat user was bound first. */
export async function bindShopperSession(deps: ServiceDeps, token: string, openid: string): Promise<ShopperSessionResponse> {
  const linkId = verifyShopper(deps, token);
  const link = await deps.store.getLink(linkId);
  if (link === undefined) throw new AppError('LINK_NOT_FOUND', 'This pay link does not exist.');
  await ensureLinkLive(deps, link);
  const binding = await deps.store.bindShopper(linkId, openid, deps.clock.now());
  if (binding.outcome === 'missing') throw new AppError('LINK_NOT_FOUND', 'This pay link does not exist.');
  if (binding.outcome === 'other') throw new AppError('SHOPPER_BOUND', 'Another WeChat user opened this shopper link first; only they can share it and hear of it.');
  return { bound: true, bound_at: iso(binding.live.shopperBoundAt ?? deps.clock.now()) };
}

/** Why a link that is not active cannot be shared any more. */
function notShareable(link: LinkRecord): AppError | undefined {
  switch (link.status) {
    case 'active':
      return undefined;
    case 'paid':
      return new AppError('LINK_PAID', 'This link has been paid: there is nothing left to share.');
    case 'expired':
      return new AppError('LINK_EXPIRED', 'This link has expired.');
    case 'revoked':
      return new AppError('LINK_REVOKED', 'This link was withdrawn.');
    case 'void':
      return new AppError('LINK_VOID', 'This order can no longer be paid.');
  }
}

/**
 * `POST /v1/share/{shopper_token}/activity`: the card's activity id, reused until ten minutes
 * before it expires, then a new one. A private link's card is made for its bound shopper only.
 */
export async function shareActivity(deps: ServiceDeps, token: string, requested: LinkAudience | undefined): Promise<ActivityResponse> {
  const linkId = verifyShopper(deps, token);
  const view = await readLink(deps, linkId);
  const refusal = notShareable(view.link) ?? (view.order.status === 'pending' ? undefined : new AppError('LINK_VOID', 'This order can no longer be paid.'));
  if (refusal) throw refusal;
  const live = await ensureLinkLive(deps, view.link);
  const audience = requested ?? live.audience;
  if (live.audience === 'private' && audience !== 'private') throw new AppError('PRIVATE_LINK', 'A private link is shared only as a private message.');
  const owner = audience === 'private' ? live.shopperOpenid : null;
  if (audience === 'private' && owner === null) throw new AppError('SHOPPER_NOT_BOUND', 'Open the share page in WeChat first: a private card is made for the WeChat user who shares it.');

  const now = deps.clock.now();
  const memberCount = contributionsOf(linkId, view.payments);
  const roomLimit = roomLimitNow(live, view.link, memberCount);
  const reusable = (await deps.store.listLinkActivities(linkId)).find(
    (activity) => activity.audience === audience && activity.ownerOpenid === owner && activity.expiresAt - now > ACTIVITY_REUSE_MARGIN_MS,
  );
  let activity = reusable;
  if (activity === undefined) {
    const messages = deps.live?.messages;
    if (messages === undefined) throw new AppError('WECHAT_UNAVAILABLE', 'Share cards are not available: WeChat\'s server API is not configured here.', { retryAfter: 60 });
    let created: { activityId: string; expiresAt: number };
    try {
      created = await messages.createActivityId(owner === null ? {} : { openid: owner });
    } catch (error: unknown) {
      deps.logger.warn({ link_id: linkId, code: error instanceof WechatPlatformError ? error.code : 'UNKNOWN' }, 'activity id not created');
      throw new AppError('WECHAT_UNAVAILABLE', 'WeChat did not make a share card just now; try again in a moment.', { retryAfter: 5 });
    }
    activity = { activityId: created.activityId, linkId, audience, ownerOpenid: owner, expiresAt: created.expiresAt, createdAt: now };
    await deps.store.insertLinkActivity(activity);
  }
  return { activity_id: activity.activityId, expires_at: iso(activity.expiresAt), audience, template_info: templateInfo(memberCount, roomLimit) };
}
