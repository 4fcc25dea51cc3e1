/**
 * Sends the chat's outboxes to WeChat: card updates (the oldest unfinished one of each card at a
 * time, so a card's states arrive in order) and subscribe messages; and queues the one "link
 * expires in 1 h" message of links whose shopper asked for it. Rows are written in the
 * transaction of the change they report, so a restart loses none; a row is finished only once
 * WeChat took it or refused it for good, so nothing is lost to a crash mid-send either (at worst
 * WeChat gets the same state of a card twice, which changes nothing it shows).
 */
import type { ServiceDeps } from '../service-deps';
import type { CardUpdateRecord, SubscribeMessageRecord } from '../store/records';
import { miniprogramStateFor } from '../wechat/platform/message-client';
import { WechatPlatformError } from '../wechat/platform/platform-errors';
import { friendPage, queueExpiryNotice } from './notices';

const BATCH = 20;
/** A claimed row is retried by anyone after this, should the claimer die mid-send. */
const CLAIM_MS = 30_000;
/** Rounds of claiming per call: each lets the next update of a card go once the one before it is done. */
const MAX_ROUNDS = 10;
/** A subscribe message WeChat keeps failing (not refusing) is given up after this many attempts. */
const MAX_MESSAGE_ATTEMPTS = 15;
/** "Link expires in 1 h". */
export const EXPIRY_WARNING_MS = 3600_000;

/** Delay before attempt `attempts + 1`: 2 s doubling to 10 minutes. */
export function liveRetryDelayMs(attempts: number): number {
  return Math.min(2000 * 2 ** attempts, 600_000);
}

function reasonOf(error: unknown): string {
  return error instanceof WechatPlatformError ? `${error.code}${error.errcode === undefined ? '' : ` (errcode ${error.errcode})`}` : error instanceof Error ? error.name : 'error';
}

/** What one call did. */
export interface LiveDelivery {
  cardsSent: number;
  messagesSent: number;
  warningsQueued: number;
}

/** How one send went: taken by WeChat, refused for good (finished, not sent), or to be retried. */
type SendOutcome = 'sent' | 'dropped' | 'retry';

async function sendCard(deps: ServiceDeps, update: CardUpdateRecord): Promise<SendOutcome> {
  const messages = deps.live?.messages;
  if (messages === undefined) return 'retry';
  try {
    await messages.setUpdatableMessage({
      activityId: update.activityId,
      targetState: update.targetState,
      memberCount: update.memberCount,
      roomLimit: update.roomLimit,
      path: friendPage(deps, update.linkId),
      versionType: deps.live?.envVersion ?? 'release',
    });
    await deps.store.finishCardUpdate(update.id, deps.clock.now(), 'sent', null);
    return 'sent';
  } catch (error: unknown) {
    const code = error instanceof WechatPlatformError ? error.code : 'UNKNOWN';
    // The card can no longer change (expired, unknown, already final): later updates of it would fail alike.
    if (code === 'ACTIVITY_EXPIRED' || code === 'ACTIVITY_INVALID' || code === 'CARD_STATE_INVALID' || code === 'INVALID_ARGUMENT' || code === 'INVALID_PAGE') {
      await deps.store.finishCardUpdate(update.id, deps.clock.now(), code === 'ACTIVITY_EXPIRED' ? 'expired' : 'refused', reasonOf(error));
      deps.logger.warn({ link_id: update.linkId, code }, 'card update refused by WeChat; dropped');
      return 'dropped';
    }
    await deps.store.retryCardUpdate(update.id, deps.clock.now() + liveRetryDelayMs(update.attempts), reasonOf(error));
    deps.logger.warn({ link_id: update.linkId, code }, 'card update failed; will retry');
    return 'retry';
  }
}

async function sendMessage(deps: ServiceDeps, message: SubscribeMessageRecord): Promise<boolean> {
  const messages = deps.live?.messages;
  if (messages === undefined) return false;
  try {
    await messages.sendSubscribeMessage({
      touser: message.touser,
      templateId: message.templateId,
      page: message.page,
      data: message.data,
      miniprogramState: miniprogramStateFor(deps.live?.envVersion ?? 'release'),
    });
    await deps.store.finishSubscribeMessage(message.id, deps.clock.now(), 'sent', null);
    return true;
  } catch (error: unknown) {
    const code = error instanceof WechatPlatformError ? error.code : 'UNKNOWN';
    // 43101: the user has no subscription at WeChat (refused, or used up): the subscription is spent, never retried.
    if (code === 'USER_REFUSED') {
      await deps.store.finishSubscribeMessage(message.id, deps.clock.now(), 'refused', reasonOf(error));
      return false;
    }
    const permanent = code === 'INVALID_TEMPLATE' || code === 'INVALID_PAGE' || code === 'INVALID_ARGUMENT';
    if (permanent || message.attempts + 1 >= MAX_MESSAGE_ATTEMPTS) {
      await deps.store.finishSubscribeMessage(message.id, deps.clock.now(), 'failed', reasonOf(error));
      deps.logger.error({ message_id: message.id, kind: message.kind, code }, 'subscribe message given up');
      return false;
    }
    await deps.store.retrySubscribeMessage(message.id, deps.clock.now() + liveRetryDelayMs(message.attempts), reasonOf(error));
    return false;
  }
}

/** Queues the "link expires in 1 h" message of every link now within the hour whose shopper asked for it. */
export async function warnOfExpiryOnce(deps: ServiceDeps): Promise<number> {
  const now = deps.clock.now();
  let queued = 0;
  for (const linkId of await deps.store.listLinksToWarnOfExpiry(now, now + EXPIRY_WARNING_MS, BATCH)) {
    const done = await deps.store.transaction(async (tx) => {
      const at = deps.clock.now();
      const link = await tx.getLink(linkId);
      const live = await tx.getLinkLive(linkId);
      if (link === undefined || link.status !== 'active' || live?.shopperOpenid == null) return false;
      const order = await tx.getOrder(link.orderId);
      if (order === undefined || !(await tx.markExpiryWarned(linkId, at))) return false;
      return queueExpiryNotice(deps, tx, link, order, live.shopperOpenid, at);
    });
    if (done) queued += 1;
  }
  return queued;
}

/** Queues due expiry warnings, then sends what is due of both outboxes. */
export async function deliverLiveOnce(deps: ServiceDeps): Promise<LiveDelivery> {
  const result: LiveDelivery = { cardsSent: 0, messagesSent: 0, warningsQueued: 0 };
  result.warningsQueued = await warnOfExpiryOnce(deps);
  if (deps.live?.messages === undefined) return result;
  for (let round = 0; round < MAX_ROUNDS; round += 1) {
    const now = deps.clock.now();
    const updates = await deps.store.claimDueCardUpdates(now, BATCH, now + CLAIM_MS);
    if (updates.length === 0) break;
    // Claimed updates are of different cards: they may go at once.
    const outcomes = await Promise.all(updates.map((update) => sendCard(deps, update)));
    result.cardsSent += outcomes.filter((outcome) => outcome === 'sent').length;
    // Only a finished update lets its card's next one go: without any, another round finds nothing new.
    if (outcomes.every((outcome) => outcome === 'retry')) break;
  }
  const now = deps.clock.now();
  const messages = await deps.store.claimDueSubscribeMessages(now, BATCH, now + CLAIM_MS);
  const sent = await Promise.all(messages.map((message) => sendMessage(deps, message)));
  result.messagesSent = sent.filter(Boolean).length;
  return result;
}
