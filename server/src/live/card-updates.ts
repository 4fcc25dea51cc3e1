/**
 * The updatable share card (动态消息) of a link: what it shows, and the outbox of its changes.
 * Every paid contribution queues `target_state` 0 with the new count, in the transaction that
 * applies the payment; every end of the link queues `target_state` 1 in the transaction that ends
 * it (the store's trigger, migration 7, so no path that ends a link can forget it). A card's
 * updates reach WeChat in the order they were queued (messenger.ts).
 */
import type { ActivityResponse, CardView } from '../../../shared/api-types';
import { iso } from '../presenters/iso';
import type { CardUpdateRecord, LinkActivityRecord, LinkLiveRecord, LinkRecord, PaymentRecord } from '../store/records';
import type { StoreTx } from '../store/store';
import { CARD_STATE_OPEN } from '../wechat/platform/message-consts';

/** Paid contributions through a link: payments whose money the order kept. */
export function contributionsOf(linkId: string, payments: readonly PaymentRecord[]): number {
  return payments.filter((payment) => payment.linkId === linkId && payment.keptAmount > 0).length;
}

/** What the card counts to: the link's room limit, never below the contributions already made. */
export function roomLimitNow(live: Pick<LinkLiveRecord, 'roomLimit'> | undefined, link: Pick<LinkRecord, 'mode'>, memberCount: number): number {
  return Math.max(live?.roomLimit ?? (link.mode === 'single' ? 1 : 3), memberCount);
}

/**
 * Queues the card update for a contribution just applied in `tx`, while the link stays payable
 * (when the contribution ends the link, the end's own update says it: final, with this count).
 */
export async function queueContributionUpdate(tx: StoreTx, link: LinkRecord, memberCount: number, now: number): Promise<void> {
  const activities = await tx.listLiveActivities(link.id, now);
  if (activities.length === 0) return;
  const live = await tx.getLinkLive(link.id);
  const roomLimit = roomLimitNow(live, link, memberCount);
  for (const activity of activities) {
    await tx.insertCardUpdate({ linkId: link.id, activityId: activity.activityId, targetState: CARD_STATE_OPEN, memberCount, roomLimit, createdAt: now });
  }
}

/** The parameters `wx.updateShareMenu` shares a card with now. */
export function templateInfo(memberCount: number, roomLimit: number): ActivityResponse['template_info'] {
  return { parameter_list: [{ name: 'member_count', value: String(memberCount) }, { name: 'room_limit', value: String(roomLimit) }] };
}

/**
 * The newest card as we last told (or are about to tell) WeChat: its latest queued update, or,
 * before any, what it was shared with. Undefined before the link's first share.
 */
export function presentCard(activities: readonly LinkActivityRecord[], updates: readonly CardUpdateRecord[], initial: { memberCount: number; roomLimit: number }): CardView | null {
  const newest = activities[0];
  if (newest === undefined) return null;
  const own = updates.filter((update) => update.activityId === newest.activityId);
  const latest = own[own.length - 1];
  return {
    activity_id: newest.activityId,
    audience: newest.audience,
    expires_at: iso(newest.expiresAt),
    state: latest?.targetState ?? CARD_STATE_OPEN,
    member_count: latest?.memberCount ?? initial.memberCount,
    room_limit: latest?.roomLimit ?? initial.roomLimit,
    pending_updates: own.filter((update) => update.doneAt === null).length,
  };
}
