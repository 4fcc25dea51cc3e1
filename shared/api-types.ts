/** Request and response bodies of the HTTP API v1 (README.md, "API (v1)"). Money in fen, times RFC 3339 UTC. */
import type { LinkMode, LinkStatus, OrderStatus, PaymentStatus } from './states';

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
  amount_refunded: number;
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
}

/** A refund as the shop sees it: always to the friend who made the payment. */
export interface RefundView {
  id: string;
  payment_id: string;
  payer: string;
  /** The paying friend's name, as in `Contribution.payer_name`. */
  payer_name: string;
  amount: number;
  reason: string;
  status: 'pending' | 'processing' | 'succeeded' | 'failed';
  created_at: string;
  succeeded_at: string | null;
}

/** `POST /v1/orders/{id}/links` body. */
export interface LinkInput {
  requester: { id: string; name: string; avatar_url?: string };
  message?: string;
  mode?: LinkMode;
  ttl_seconds?: number;
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
}

/** A freshly issued link: everything the shopper needs to share it. */
export interface IssuedLinkResponse extends LinkResponse {
  token: string;
  code: string;
  url: string;
  share: ShareCard;
  qr_url: string;
}

/** A contribution as a friend sees it. */
export interface PublicContribution {
  /** The payer's name: masked (`李*`) unless it is the viewer's own payment; "微信好友 N" when they gave none. */
  payer: string;
  amount: number;
  paid_at: string;
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
  };
  shop: { name: string };
  order: {
    amount_total: number;
    amount_paid: number;
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
  reason: string;
  refunded_at: string;
}

/** A shop webhook event: its `type` and the `data` sent with it. */
export type ShopEvent =
  | { type: 'link.paid'; data: LinkPaidEventData }
  | { type: 'link.expired'; data: LinkClosedEventData<'expired'> }
  | { type: 'link.revoked'; data: LinkClosedEventData<'revoked'> }
  | { type: 'payment.refunded'; data: PaymentRefundedEventData };

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
