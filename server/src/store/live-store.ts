/**
 * What the store does for live status in the chat: a link's audience and shopper, its share
 * cards' activity ids, private-message proofs, friends' WeChat session keys (sealed), and two
 * outboxes: card updates (sent in order per card) and subscribe messages (one per subscription).
 * A link's end writes its final card updates in the same transaction by itself (a trigger of
 * migration 7), whichever path ends it; contributions and messages are written by the services.
 */
import type {
  CardUpdateRecord,
  LinkActivityRecord,
  LinkLiveRecord,
  NewCardUpdate,
  SubscribeMessageRecord,
  SubscriptionKind,
  SubscriptionRecord,
} from './records';

/** How binding a shopper to a link went. */
export type ShopperBinding =
  | { outcome: 'bound' | 'already'; live: LinkLiveRecord }
  | { outcome: 'other'; live: LinkLiveRecord }
  | { outcome: 'missing' };

/** Live status, outside a transaction. */
export interface LiveStore {
  insertLinkLive(record: LinkLiveRecord): Promise<void>;
  getLinkLive(linkId: string): Promise<LinkLiveRecord | undefined>;
  /** Binds `openid` as the link's shopper unless another is bound already (first binding wins). */
  bindShopper(linkId: string, openid: string, at: number): Promise<ShopperBinding>;

  insertLinkActivity(record: LinkActivityRecord): Promise<void>;
  /** The link's activity ids, newest first. */
  listLinkActivities(linkId: string): Promise<LinkActivityRecord[]>;
  getLinkActivity(activityId: string): Promise<LinkActivityRecord | undefined>;

  /** Records that `openid` proved they received the link's private card (idempotent). */
  savePrivateProof(linkId: string, openid: string, activityId: string, at: number): Promise<void>;
  hasPrivateProof(linkId: string, openid: string): Promise<boolean>;

  /** Keeps the user's latest sealed `session_key` (replacing an older one). */
  saveWechatSessionKey(openid: string, sealed: string, at: number): Promise<void>;
  getWechatSessionKey(openid: string): Promise<string | undefined>;

  insertSubscriptions(records: readonly SubscriptionRecord[]): Promise<void>;
  listSubscriptions(linkId: string): Promise<SubscriptionRecord[]>;

  /** The link's card updates, oldest first. */
  listCardUpdates(linkId: string): Promise<CardUpdateRecord[]>;
  /**
   * Claims up to `limit` due card updates, only the oldest unfinished one of each card (so a
   * card's updates reach WeChat in order), pushing their next attempt to `claimUntil`.
   */
  claimDueCardUpdates(now: number, limit: number, claimUntil: number): Promise<CardUpdateRecord[]>;
  finishCardUpdate(id: number, at: number, outcome: NonNullable<CardUpdateRecord['outcome']>, error: string | null): Promise<void>;
  retryCardUpdate(id: number, nextAttemptAt: number, error: string): Promise<void>;

  listSubscribeMessages(linkId: string): Promise<SubscribeMessageRecord[]>;
  claimDueSubscribeMessages(now: number, limit: number, claimUntil: number): Promise<SubscribeMessageRecord[]>;
  finishSubscribeMessage(id: string, at: number, outcome: NonNullable<SubscribeMessageRecord['outcome']>, error: string | null): Promise<void>;
  retrySubscribeMessage(id: string, nextAttemptAt: number, error: string): Promise<void>;

  /**
   * Active links expiring in (`now`, `until`] whose shopper is bound, has an available
   * `link_expiring` subscription and has not been told yet.
   */
  listLinksToWarnOfExpiry(now: number, until: number, limit: number): Promise<string[]>;
}

/** Live status, inside `Store.transaction`. */
export interface LiveStoreTx {
  getLinkLive(linkId: string): Promise<LinkLiveRecord | undefined>;
  /** The link's activity ids still valid at `now`, oldest first. */
  listLiveActivities(linkId: string, now: number): Promise<LinkActivityRecord[]>;
  insertCardUpdate(update: NewCardUpdate): Promise<void>;
  /** Uses the oldest available subscription of `openid` for `kind` on the link; undefined when none. */
  takeSubscription(linkId: string, openid: string, kind: SubscriptionKind, at: number): Promise<SubscriptionRecord | undefined>;
  insertSubscribeMessage(record: SubscribeMessageRecord): Promise<void>;
  /** Marks the link's expiry warning as queued; false when it already was. */
  markExpiryWarned(linkId: string, at: number): Promise<boolean>;
}
