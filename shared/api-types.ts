/** Request and response bodies of the HTTP API v1 (DESIGN.md §5). Money in fen, times RFC 3339 UTC. */
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

/** A friend's contribution as the shop sees it (payer masked). */
export interface Contribution {
  payment_id: string;
  link_id: string;
  payer: string;
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
  payers: Contribution[];
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
  };
  shop: { name: string };
  order: {
    amount_total: number;
    amount_paid: number;
    amount_due: number;
    currency: 'CNY';
    items: OrderItem[];
  };
  contributions: PublicContribution[];
  server_time: string;
}

/** `POST /sandbox/demo` answer. */
export interface DemoResponse {
  shop: { id: string; name: string; api_key: string; webhook_secret: string };
  order: OrderResponse;
  link: IssuedLinkResponse;
}
