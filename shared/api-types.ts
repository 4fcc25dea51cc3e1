/** Request and response bodies of the HTTP API v1 (README.md, "API (v1)"). Money in fen, times RFC 3339 UTC. */
import type { LinkMode, LinkStatus, OrderStatus, PaymentStatus, RefundKind, RefundStatus } from './states';

/** One line of an order. */
export interface OrderItem {
  title: string;
  quantity: number;
  unit_price: number;
  image_url?: string;
}

/** Where an order ships (never shown to friends). */
export interface ShipTo {
  name?: string;
  phone?: string;
  address?: string;
}

/** `POST /v1/orders` body. */
export interface OrderInput {
  shop_order_id: string;
  shopper_id: string;
  amount_total: number;
  currency?: 'CNY';
  items: OrderItem[];
  pay_deadline: string;
  ship_to?: ShipTo;
}

/** A friend's contribution as the shop sees it (payer's WeChat id masked, their name in full). */
export interface Contribution {
  payment_id: string;
  link_id: string;
  payer: string;
  /** The name the friend gave when paying, else "微信好友 N" (N: the order in which friends paid). */
  payer_name: string;
  amount: number;
  status: PaymentStatus;
  paid_at: string | null;
  refunded_amount: number;
}

/** An order as the shop sees it. */
export interface OrderResponse {
  id: string;
  shop_order_id: string;
  shopper_id: string;
  status: OrderStatus;
  amount_total: number;
  amount_paid: number;
  /** What went back of what the order counted as paid; never above `amount_paid`. */
  amount_refunded: number;
  /** Money returned that never counted toward the order (an over-contribution's excess, a payment after the link closed). */
  amount_returned_unapplied: number;
  amount_due: number;
  currency: 'CNY';
  items: OrderItem[];
  pay_deadline: string;
  ship_to: ShipTo | null;
  created_at: string;
  cancelled_at: string | null;
  /** Every friend who paid, masked, with what they paid and what went back to them. */
  payers: Contribution[];
  refunds: RefundView[];
  /** Cancel answers only: payments whose WeChat order could not be closed yet (the reconciler keeps trying). */
  closing_payments?: string[];
}

/** A refund as the shop sees it: always to the friend who made the payment. */
export interface RefundView {
  id: string;
  payment_id: string;
  payer: string;
  /** The paying friend's name, as in `Contribution.payer_name`. */
  payer_name: string;
  amount: number;
  /** The shop's reason when it gave one, else `kind`. */
  reason: string;
  kind: RefundKind;
  status: RefundStatus;
  created_at: string;
  succeeded_at: string | null;
}

/** `POST /v1/orders/{id}/links` body. */
export interface LinkInput {
  requester: { id: string; name: string; avatar_url?: string };
  message?: string;
  mode?: LinkMode;
  ttl_seconds?: number;
  /** `private`: only friends the shopper sends the card to may pay. @default 'group' */
  audience?: LinkAudience;
  /** Group links: how many friends are expected to chip in (the card's room_limit). @default 3 */
  expected_contributions?: number;
}

/** The WeChat share card of a link. */
export interface ShareCard {
  title: string;
  path: string;
  imageUrl: string;
}

/** A link as the shop sees it. */
export interface LinkResponse {
  id: string;
  order_id: string;
  status: LinkStatus;
  mode: LinkMode;
  expires_at: string;
  created_at: string;
  message: string | null;
  requester: { id: string; name: string; avatar_url: string | null };
  amount_total: number;
  amount_paid: number;
  amount_due: number;
  contributions: Contribution[];
  /** Who may pay (issued links and `GET /v1/links/{id}`). */
  audience?: LinkAudience;
  /** What the share card counts to (issued links and `GET /v1/links/{id}`). */
  room_limit?: number;
  /** The shopper's own capability: opens `/pages/share/index?s={shopper_token}` (issued links and `GET /v1/links/{id}`). */
  shopper_token?: string;
  /** Revoke answers only: payments whose WeChat order could not be closed yet (the reconciler keeps trying). */
  closing_payments?: string[];
}

/** A freshly issued link: everything the shopper needs to share it. */
export interface IssuedLinkResponse extends LinkResponse {
  token: string;
  code: string;
  url: string;
  share: ShareCard;
  qr_url: string;
  /** What a native shop app hands WeChat's OpenSDK to share the link as a mini program card. */
  mini_program: MiniProgramShare;
}

/** A contribution as a friend sees it. */
export interface PublicContribution {
  /** The payer's name: masked (`李*`) unless it is the viewer's own payment; "微信好友 N" when they gave none. */
  payer: string;
  amount: number;
  paid_at: string;
  /** What of `amount` has gone back to this friend (this server always sends it; absent means none). */
  refunded_amount?: number;
}

/** `GET /v1/pay/{ref}`: what the friend sees. */
export interface FriendView {
  link: {
    status: LinkStatus;
    mode: LinkMode;
    expires_at: string;
    message: string | null;
    requester: { name: string; avatar_url: string | null };
    /** A friend is in the WeChat pay sheet right now (single mode: others get LINK_BUSY). */
    paying: boolean;
    /** The short URL of this link (`/p/{code}`), for copying and QR codes. */
    url: string;
    /** The link's mini program code image (`{url}/qr.png`), for posters. */
    qr_url: string;
    /** `private`: only the friends the card was sent to may pay ("这是发给特定好友的付款请求"). */
    audience?: LinkAudience;
    /** Private links, with a session: whether this friend proved they received the card. */
    private_proof?: boolean;
  };
  shop: { name: string };
  order: {
    amount_total: number;
    amount_paid: number;
    /** What went back to the friends of what the order counted as paid. */
    amount_refunded: number;
    /** What the order still owes (total minus paid). */
    amount_due: number;
    /** Part of the amount due that friends are paying right now (open payments). */
    amount_reserved: number;
    currency: 'CNY';
    items: OrderItem[];
    /** The shop's own order number, for receipts and saved posters. */
    shop_order_id: string;
  };
  contributions: PublicContribution[];
  /** The viewer's own payments on this link, when the request carries their session token. */
  my_payments: PaymentView[];
  server_time: string;
  /** Subscribe message templates the friend may be asked to accept after paying (`refund`). */
  subscribe_templates?: SubscribeTemplates;
}

/** `POST /v1/sessions` body: the code from `wx.login`. */
export interface SessionInput {
  code: string;
}

/** A friend's session: send as `Authorization: Bearer <session_token>`. */
export interface SessionResponse {
  session_token: string;
  expires_in: number;
  /** The WeChat user, masked (never the full openid). */
  user: string;
}

/** A payment as its payer sees it. */
export interface PaymentView {
  id: string;
  link_id: string;
  status: PaymentStatus;
  amount: number;
  created_at: string;
  paid_at: string | null;
  refunded_amount: number;
  /** Until then the friend may finish paying in the pay sheet. */
  payable_until: string;
  /** WeChat Pay's transaction number (微信支付单号) once paid, for the friend's receipt. */
  transaction_id: string | null;
  /** The name the friend gave when paying, if any. */
  payer_name: string | null;
  /** Every refund of this payment, oldest first: each goes back to this payer, the way they paid. */
  refunds: PaymentRefundView[];
}

/** A refund as the friend who paid sees it. */
export interface PaymentRefundView {
  id: string;
  amount: number;
  status: RefundStatus;
  created_at: string;
  succeeded_at: string | null;
}

/** The parameters for `wx.requestPayment`, exactly as WeChat names them. */
export interface RequestPaymentParams {
  timeStamp: string;
  nonceStr: string;
  package: string;
  signType: 'RSA';
  paySign: string;
}

/** `POST /v1/pay/{ref}/payments` body; `amount` only in group mode. */
export interface CreatePaymentInput {
  amount?: number;
  /** How the shopper should know the friend (1-20 characters); without it they read "微信好友 N". */
  payer_name?: string;
}

/** `POST /v1/pay/{ref}/payments` answer. */
export interface CreatePaymentResponse {
  payment: PaymentView;
  request_payment: RequestPaymentParams;
  /** Only in the sandbox: what the sandbox pay sheet sends to `/sandbox/wechatpay/pay`. */
  sandbox?: { prepay_id: string; openid: string };
}

/** A payer in a `link.paid` webhook: masked, with what the order kept of their payment. */
export interface WebhookPayer {
  payment_id: string;
  payer: string;
  /** The friend's name, as in `Contribution.payer_name`. */
  payer_name: string;
  amount: number;
  paid_at: string;
}

/** `link.paid` data: the order is fully paid; the link that completed it is paid, the others void. */
export interface LinkPaidEventData {
  link_id: string;
  order_id: string;
  shop_order_id: string;
  mode: LinkMode;
  amount_total: number;
  amount_paid: number;
  /** When the last contribution was paid. */
  paid_at: string;
  status: LinkStatus;
  /** Every friend whose money the order kept. */
  payers: WebhookPayer[];
}

/** `link.expired` and `link.revoked` data: the link's new status and when it changed. */
export interface LinkClosedEventData<S extends 'expired' | 'revoked'> {
  link_id: string;
  order_id: string;
  status: S;
  at: string;
}

/** `payment.refunded` data: money went back to the friend who paid it. */
export interface PaymentRefundedEventData {
  payment_id: string;
  refund_id: string;
  order_id: string;
  link_id: string;
  payer: string;
  /** The friend's name, as in `Contribution.payer_name`. */
  payer_name: string;
  amount: number;
  /** The shop's reason when it gave one, else `kind`. */
  reason: string;
  kind: RefundKind;
  refunded_at: string;
}

/** `order.refunded` data: everything the order counted as paid went back to the friends who paid it. */
export interface OrderRefundedEventData {
  order_id: string;
  shop_order_id: string;
  status: OrderStatus;
  amount_paid: number;
  amount_refunded: number;
  refunded_at: string;
  /** Each refund that reached a payer, masked. */
  refunds: { refund_id: string; payment_id: string; payer: string; amount: number }[];
}

/** `refund.abnormal` data: a refund could not reach the payer (`abnormal`) or WeChat closed it (`closed`); the shop handles it. */
export interface RefundAbnormalEventData {
  refund_id: string;
  payment_id: string;
  order_id: string;
  link_id: string;
  payer: string;
  amount: number;
  reason: string;
  kind: RefundKind;
  status: 'abnormal' | 'closed';
  at: string;
}

/** A shop webhook event: its `type` and the `data` sent with it. */
export type ShopEvent =
  | { type: 'link.paid'; data: LinkPaidEventData }
  | { type: 'link.expired'; data: LinkClosedEventData<'expired'> }
  | { type: 'link.revoked'; data: LinkClosedEventData<'revoked'> }
  | { type: 'payment.refunded'; data: PaymentRefundedEventData }
  | { type: 'order.refunded'; data: OrderRefundedEventData }
  | { type: 'refund.abnormal'; data: RefundAbnormalEventData };

/** The names of shop webhook events. */
export type ShopEventType = ShopEvent['type'];

/** The JSON body POSTed to a shop's webhook URL (signed in the `FriendPay-Signature` header). */
export type WebhookDelivery = { id: string; created_at: string } & ShopEvent;

/**
 * Where a webhook event stands: `pending` (not tried yet), `retrying` (failed, tried again at
 * `next_attempt_at`), `delivered` (the shop answered 2xx), `not_sent` (the shop has no webhook URL).
 */
export type DeliveryState = 'pending' | 'retrying' | 'delivered' | 'not_sent';

/** A webhook delivery as the shop can list it. */
export interface DeliveryView {
  id: string;
  type: ShopEventType;
  state: DeliveryState;
  created_at: string;
  delivered_at: string | null;
  attempts: number;
  next_attempt_at: string | null;
  last_error: string | null;
}

/** `POST /sandbox/demo` answer. */
export interface DemoResponse {
  shop: { id: string; name: string; api_key: string; webhook_secret: string };
  order: OrderResponse;
  link: IssuedLinkResponse;
}

/** A webhook the sandbox's own receiver got for a demo shop (`GET /sandbox/webhooks`), newest first. */
export interface SandboxWebhook {
  /** The event's id (the same on every retry). */
  id: string;
  type: string;
  shop_id: string;
  received_at: string;
  /** The `FriendPay-Signature` checked with the shop's webhook secret, as a shop would. */
  signature_valid: boolean;
  data: unknown;
}

/** An order in a list (`GET /v1/orders`): the order without its payers and refunds (`GET /v1/orders/{id}` has them). */
export type OrderSummary = Omit<OrderResponse, 'payers' | 'refunds'>;

/** `GET /v1/orders` answer: newest first; pass `next_cursor` as `cursor` for the next page (null: no more). */
export interface OrderListResponse {
  orders: OrderSummary[];
  next_cursor: string | null;
}

/** `GET /v1/orders/{id}/links` answer: every link issued for the order, oldest first. */
export interface OrderLinksResponse {
  links: LinkResponse[];
}

/** `env_version` of a mini program code or URL Link: which build of the mini program it opens. */
export type MiniProgramEnvVersion = 'release' | 'trial' | 'develop';

/**
 * A link as WeChat's OpenSDK shares a mini program (`WXMiniProgramObject`): `user_name` is the
 * mini program's original id (`gh_...`), `path` the share card's path, `webpage_url` the link's
 * url (for WeChat versions that cannot open mini programs), `type` 0 release, 1 develop, 2 trial.
 */
export interface MiniProgramShare {
  user_name: string;
  path: string;
  webpage_url: string;
  type: 0 | 1 | 2;
}

/** `GET /v1/links/{id}`: the link's status, with its share material again while it is active. */
export type ShopLinkResponse = LinkResponse | IssuedLinkResponse;

/** `GET /v1/links/{id}/url-link`: the link's URL Link (made once, kept), which opens the pay page from outside WeChat. */
export interface UrlLinkResponse {
  url_link: string;
  expires_at: string;
}

// Live status in the chat (README.md, "Live status in the chat")

/** Who may pay a link: anyone it reaches, or only the friends its private card was sent to. */
export type LinkAudience = 'group' | 'private';

/** Configured subscribe message template ids, by what they announce. */
export interface SubscribeTemplates {
  /** "friend paid", to the shopper. */
  friend_paid?: string;
  /** "link expires in 1 h", to the shopper. */
  link_expiring?: string;
  /** "refund on its way", to a friend who paid. */
  refund?: string;
}

/** A link's share card as we last told WeChat (or are about to). */
export interface CardView {
  activity_id: string;
  audience: LinkAudience;
  expires_at: string;
  /** WeChat's `target_state`: 0 while payable ({member_count}/{room_limit}), 1 once the link ended. */
  state: 0 | 1;
  member_count: number;
  room_limit: number;
  /** Updates WeChat has not taken yet (being retried). */
  pending_updates: number;
}

/** A refund as the shopper sees it. */
export interface ShopperRefund {
  payer: string;
  amount: number;
  status: RefundView['status'];
  created_at: string;
}

/** `GET /v1/share/{shopper_token}`: the shopper's view of their link. */
export interface ShopperView extends FriendView {
  link: FriendView['link'] & {
    id: string;
    audience: LinkAudience;
    room_limit: number;
    /** The pay link's token and code, and its share card (path `/pages/pay/index?t={token}`). */
    token: string;
    code: string;
    share: ShareCard;
  };
  refunds: ShopperRefund[];
  /** The newest share card's state, or null before the link was first shared. */
  card: CardView | null;
  /** Whether a WeChat user is bound as the shopper, and (with a session) whether it is the caller. */
  shopper: { bound: boolean; you?: boolean };
  subscribe_templates: SubscribeTemplates;
}

/** `POST /v1/share/{shopper_token}/session` answer. */
export interface ShopperSessionResponse {
  bound: true;
  bound_at: string;
}

/** `POST /v1/share/{shopper_token}/activity` body. */
export interface ActivityInput {
  audience?: LinkAudience;
}

/** One parameter of an updatable card's template. */
export interface CardParameter {
  name: 'member_count' | 'room_limit';
  value: string;
}

/** `POST /v1/share/{shopper_token}/activity` answer: what `wx.updateShareMenu` needs. */
export interface ActivityResponse {
  activity_id: string;
  expires_at: string;
  audience: LinkAudience;
  template_info: { parameter_list: CardParameter[] };
}

/** `POST /v1/subscriptions` body: what `wx.requestSubscribeMessage` answered, for a link. */
export interface SubscriptionsInput {
  /** The link's token or code (a friend), or the shopper token (the shopper). */
  link: string;
  templates: { id: string; result: 'accept' | 'reject' | 'ban' | 'filter' }[];
}

/** `POST /v1/subscriptions` answer: the subscriptions recorded (accepted, configured templates). */
export interface SubscriptionsResponse {
  subscriptions: { id: string; template_id: string; kind: 'friend_paid' | 'link_expiring' | 'refund' }[];
}

/** `POST /v1/pay/{ref}/private-proof` body: what `wx.authPrivateMessage` returned. */
export interface PrivateProofInput {
  valid: boolean;
  encrypted_data: string;
  iv: string;
}

/** `POST /v1/orders/{id}/refunds` body: an after-sale refund, split over the contributions or from one payment. */
export interface CreateRefundInput {
  /** Fen, at least 1, at most what is left of what was paid (of the payment, with `payment_id`). */
  amount: number;
  /** Shown to the payer in WeChat's refund message (at most 80 characters). */
  reason?: string;
  payment_id?: string;
}

/** `POST /v1/orders/{id}/refunds` answer: one refund per contribution it touches, each to its payer. */
export interface CreateRefundResponse {
  refunds: RefundView[];
}
