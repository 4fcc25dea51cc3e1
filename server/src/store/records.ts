/** What the store keeps. Times are epoch milliseconds; money is integer fen. */
import type { OrderItem, RequestPaymentParams, ShipTo, ShopEvent } from '../../../shared/api-types';
import type { LinkMode, LinkStatus, OrderStatus, PaymentStatus, RefundKind, RefundStatus } from '../../../shared/states';

/** A shop that integrates with the API. Only a hash of its API key is kept. */
export interface ShopRecord {
  id: string;
  name: string;
  apiKeyHash: string;
  webhookUrl: string | null;
  webhookSecret: string;
  createdAt: number;
  /** Partner mode: the WeChat Pay sub-merchant (`sub_mchid`) the shop's money goes to; null: none set. */
  subMchId: string | null;
  /** Partner mode: the sub-merchant's own app (`sub_appid`), when friends pay in it. */
  subAppId: string | null;
}

/** A shop's order, upserted by `shopOrderId`. */
export interface OrderRecord {
  id: string;
  shopId: string;
  shopOrderId: string;
  shopperId: string;
  amountTotal: number;
  amountPaid: number;
  /** What went back of `amountPaid` (refunds of kinds that give back counted money); never above it. */
  amountRefunded: number;
  currency: 'CNY';
  items: OrderItem[];
  shipTo: ShipTo | null;
  payDeadline: number;
  status: OrderStatus;
  /** Hash of what the shop sent, to tell an identical upsert from a conflicting one. */
  fingerprint: string;
  createdAt: number;
  updatedAt: number;
  cancelledAt: number | null;
}

/** A pay link: a capability to pay one order. */
export interface LinkRecord {
  id: string;
  orderId: string;
  shopId: string;
  mode: LinkMode;
  status: LinkStatus;
  requesterId: string;
  requesterName: string;
  requesterAvatarUrl: string | null;
  message: string | null;
  expiresAt: number;
  createdAt: number;
  /** When the status last left `active` (paid, expired, revoked or void). */
  closedAt: number | null;
}

/** Everything a friend view needs, read in one query. */
export interface LinkView {
  link: LinkRecord;
  order: OrderRecord;
  shopName: string;
}

/** A link view with every payment of its order (oldest first): what a friend's page shows. */
export interface FriendLinkView extends LinkView {
  payments: PaymentRecord[];
  /** Who the link is for (`group` for links issued before audiences existed), read in the same statement. */
  audience: LinkAudience;
}

/** An event for the shop's webhook, written in the same transaction as the change it reports. */
export interface NewEvent {
  id: string;
  shopId: string;
  type: ShopEvent['type'];
  /** The `data` a shop receives for `type`, built only in webhooks/webhook-events.ts. */
  payload: ShopEvent['data'];
  createdAt: number;
}

/** A stored event and its delivery state. */
export interface EventRecord extends NewEvent {
  deliveredAt: number | null;
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
}

/** A shop write's idempotency key and, once done, the response it produced. */
export interface IdempotencyRecord {
  scope: string;
  key: string;
  requestHash: string;
  state: 'pending' | 'done';
  statusCode: number | null;
  responseBody: string | null;
  createdAt: number;
  /** Who runs the request (one random id per attempt): only its holder renews, completes or releases a claim. */
  holder: string;
  /** Until when a pending claim is held: its holder renews it while the request runs; after, a retry takes it over. */
  heldUntil: number;
}

/** One friend's attempt to pay (DESIGN.md §4). `created` holds a lease (single) or a reservation (group). */
export interface PaymentRecord {
  id: string;
  linkId: string;
  orderId: string;
  shopId: string;
  mode: LinkMode;
  payerOpenid: string;
  /** The Idempotency-Key the friend's client sent with the create request. */
  idempotencyKey: string;
  amount: number;
  status: PaymentStatus;
  /** Our order number at WeChat Pay. */
  outTradeNo: string;
  prepayId: string | null;
  /** The `wx.requestPayment` parameters, kept so a friend's retry gets the very same ones. */
  requestPayment: RequestPaymentParams | null;
  /** When WeChat stops accepting payment for it (`time_expire`). */
  payableUntil: number;
  /** Until then no other friend may pay a single-mode link; after it, the WeChat order is closed. */
  leaseExpiresAt: number;
  transactionId: string | null;
  paidAt: number | null;
  closedAt: number | null;
  /** The part of a paid payment that counts toward the order (the rest of it is refunded); a later refund does not change it. */
  keptAmount: number;
  /** What WeChat Pay has confirmed as refunded to the payer, of every kind. */
  refundedAmount: number;
  /** When we last asked WeChat Pay about it (reconciler), to pace the queries. */
  checkedAt: number | null;
  createdAt: number;
  updatedAt: number;
  /** The name the friend gave when paying, shown to the shopper; null: shown as "微信好友 N". */
  payerName: string | null;
  /**
   * The id of the WeChat Pay notification that moved it to paid (or refunding), recorded by that
   * very update; null before, and when the reconciler's query found the payment first.
   */
  notificationId: string | null;
}

/** Why money goes back (shared/states.ts, `refundKinds`). */
export type RefundReason = RefundKind;

/** A refund of one payment, always to that payment's payer. */
export interface RefundRecord {
  id: string;
  paymentId: string;
  orderId: string;
  shopId: string;
  payerOpenid: string;
  outRefundNo: string;
  amount: number;
  reason: RefundReason;
  /** The shop's own words for an after-sale refund, sent to WeChat (the payer sees them) on every attempt. */
  note: string | null;
  /** The Idempotency-Key of the shop's refund request that made it, so a retry after a crash finds it. */
  requestKey: string | null;
  /** `pending`: not yet accepted by WeChat Pay; `processing`: accepted; then `succeeded`, `abnormal` or `closed`. */
  status: RefundStatus;
  wechatRefundId: string | null;
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
  createdAt: number;
  updatedAt: number;
  succeededAt: number | null;
}

/** How a day's reconciliation with WeChat Pay's trade bill ended. */
export type BillReconciliationStatus = 'matched' | 'differences' | 'failed';

/** The last reconciliation of one day's bill for one scope (a merchant, a sub-merchant, or all of them). */
export interface BillReconciliationRecord {
  /** `YYYY-MM-DD`, China Standard Time. */
  billDate: string;
  /** Whose bill: `mch:<mchid>`, `sub:<sub_mchid>` or `all-sub:<sp_mchid>`. */
  scope: string;
  /** `matched`: nothing differs (or everything was applied); `differences`: a person must look; `failed`: no bill (yet). */
  status: BillReconciliationStatus;
  /** Differences found, and of them the ones not applied. */
  differences: number;
  unapplied: number;
  /** The report as the command prints with `--json`, or the failure. */
  report: unknown;
  attempts: number;
  startedAt: number;
  finishedAt: number;
}

/** A link's mini program code image (README, "From any chat into the mini program"): made once per link and env version, kept. */
export interface LinkCodeRecord {
  linkId: string;
  /** The `env_version` the code opens (`release`, `trial`, `develop`). */
  envVersion: string;
  image: Buffer;
  /** `image/png` (or `image/jpeg`, which WeChat sends for opaque codes). */
  contentType: string;
  createdAt: number;
}

/** A link's URL Link: made once per link and env version (lazily), kept until it expires with the link. */
export interface LinkUrlLinkRecord {
  linkId: string;
  envVersion: string;
  url: string;
  /** When WeChat stops opening it (the link's expiry, at most 30 days away). */
  expiresAt: number;
  createdAt: number;
}

/** The mini program's WeChat access token, shared by every server instance. */
export interface AccessTokenRecord {
  appId: string;
  token: string;
  expiresAt: number;
}

// Live status in the chat (README.md, "Live status in the chat"): who a link is for, its share
// cards, the shopper's and friends' subscriptions, and the outboxes of card updates and messages.

/** Who may pay a link: anyone it reaches (`group`), or only the friends the shopper sent it to (`private`). */
export type LinkAudience = 'group' | 'private';

/** A link's chat settings, written with the link; the shopper's WeChat user once bound. */
export interface LinkLiveRecord {
  linkId: string;
  audience: LinkAudience;
  /** What the card shows as `room_limit`: 1 for single links, the expected contributions for group links. */
  roomLimit: number;
  /** The shopper's openid, bound by the first shopper session (first binding wins). */
  shopperOpenid: string | null;
  shopperBoundAt: number | null;
  /** When the one "link expires in 1 h" message was queued. */
  expiringNoticeAt: number | null;
  createdAt: number;
}

/** An activity id of a link's share card (updatable, or private for one sharer). */
export interface LinkActivityRecord {
  activityId: string;
  linkId: string;
  audience: LinkAudience;
  /** The only user who may share a private card. */
  ownerOpenid: string | null;
  expiresAt: number;
  createdAt: number;
}

/** An update of one card waiting for (or done with) WeChat: the card outbox, sent in order per card. */
export interface CardUpdateRecord {
  /** Increasing: the order in which a card's updates are sent. */
  id: number;
  linkId: string;
  activityId: string;
  targetState: 0 | 1;
  memberCount: number;
  roomLimit: number;
  createdAt: number;
  attempts: number;
  nextAttemptAt: number;
  /** When WeChat took it, or it was given up (`outcome` says which). */
  doneAt: number | null;
  outcome: 'sent' | 'expired' | 'refused' | null;
  lastError: string | null;
}

/** What a card update is made of; the store numbers it. */
export type NewCardUpdate = Omit<CardUpdateRecord, 'id' | 'attempts' | 'nextAttemptAt' | 'doneAt' | 'outcome' | 'lastError'>;

/** Which message a subscription allows. */
export type SubscriptionKind = 'friend_paid' | 'link_expiring' | 'refund';

/** One accepted subscribe template: allows exactly one message. */
export interface SubscriptionRecord {
  id: string;
  linkId: string;
  openid: string;
  role: 'shopper' | 'friend';
  kind: SubscriptionKind;
  templateId: string;
  status: 'available' | 'used';
  createdAt: number;
  usedAt: number | null;
}

/** A subscribe message waiting for (or done with) WeChat: one per subscription. */
export interface SubscribeMessageRecord {
  id: string;
  subscriptionId: string;
  linkId: string;
  kind: SubscriptionKind;
  touser: string;
  templateId: string;
  page: string;
  data: Record<string, { value: string }>;
  createdAt: number;
  attempts: number;
  nextAttemptAt: number;
  doneAt: number | null;
  /** `refused`: WeChat said 43101 (the user has no subscription there); never retried. */
  outcome: 'sent' | 'refused' | 'failed' | null;
  lastError: string | null;
}
