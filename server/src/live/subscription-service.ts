/**
 * `POST /v1/subscriptions`: what `wx.requestSubscribeMessage` answered, recorded as one
 * subscription per accepted, configured template. The shopper (naming the link by their shopper
 * token) may subscribe to "friend paid" and "link expiring"; a friend (naming it by its token or
 * code) to "refund on its way". Each subscription allows exactly one message (notices.ts).
 */
import type { SubscriptionsInput, SubscriptionsResponse } from '../../../shared/api-types';
import { AppError } from '../errors/app-error';
import { verifyLinkRef } from '../links/link-ref';
import { verifyShopperToken } from '../links/shopper-token';
import type { ServiceDeps } from '../service-deps';
import type { SubscriptionKind, SubscriptionRecord } from '../store/records';
import { bindShopperSession } from './share-service';

/** Which kinds each side may subscribe to. */
const KINDS_OF: Record<SubscriptionRecord['role'], readonly SubscriptionKind[]> = {
  shopper: ['friend_paid', 'link_expiring'],
  friend: ['refund'],
};

/** The kind a configured template id announces. */
function kindOf(deps: ServiceDeps, templateId: string): SubscriptionKind | undefined {
  const templates = deps.live?.templates;
  if (templates === undefined) return undefined;
  if (templates.friendPaid === templateId) return 'friend_paid';
  if (templates.linkExpiring === templateId) return 'link_expiring';
  if (templates.refund === templateId) return 'refund';
  return undefined;
}

/** Records `openid`'s accepted subscriptions for the link `input.link` names. */
export async function recordSubscriptions(deps: ServiceDeps, openid: string, input: SubscriptionsInput): Promise<SubscriptionsResponse> {
  const now = deps.clock.now();
  const shopperLink = verifyShopperToken(deps.keyring, input.link, now);
  let linkId: string;
  let role: SubscriptionRecord['role'];
  if (shopperLink !== undefined) {
    // Only the link's shopper hears of it: the first WeChat user to bind is that shopper.
    await bindShopperSession(deps, input.link, openid);
    linkId = shopperLink;
    role = 'shopper';
  } else {
    linkId = verifyLinkRef(deps.keyring, input.link, now);
    if ((await deps.store.getLink(linkId)) === undefined) throw new AppError('LINK_NOT_FOUND', 'This pay link does not exist.');
    role = 'friend';
  }
  const records: SubscriptionRecord[] = [];
  for (const template of input.templates) {
    const kind = kindOf(deps, template.id);
    if (template.result !== 'accept' || kind === undefined || !KINDS_OF[role].includes(kind)) continue;
    records.push({ id: deps.ids.newId('sub'), linkId, openid, role, kind, templateId: template.id, status: 'available', createdAt: now, usedAt: null });
  }
  await deps.store.insertSubscriptions(records);
  return { subscriptions: records.map((record) => ({ id: record.id, template_id: record.templateId, kind: record.kind })) };
}
