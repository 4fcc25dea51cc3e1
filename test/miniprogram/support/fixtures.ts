/** Answers shaped exactly like the server's (types from shared/), for the page tests to serve. */
import type { CardView, CreatePaymentResponse, FriendView, PaymentView, ShopperView } from '../../../shared/api-types';
import type { Problem } from '../../../shared/errors';
import { errorCatalog, type ErrorCode } from '../../../shared/errors';
import type { FakeAnswer } from './taro-double';

/** A link token's shape (header.payload.signature); the pages never look inside. */
export const TOKEN = 'eyJhbGciOiJIUzI1NiIsImtpZCI6ImsxIn0.eyJsaWQiOiJsbmtfMSJ9.c2lnbmF0dXJl';
/** A shopper token's shape (what the shop app opens the share page with). */
export const SHOPPER_TOKEN = 'eyJhbGciOiJIUzI1NiIsImtpZCI6ImsxIn0.eyJsaWQiOiJsbmtfMSIsImF1ZCI6InNob3BwZXIifQ.c2hvcHBlcg';

/** The server clock in these fixtures: deliberately far from the test machine's own clock. */
export const SERVER_TIME = '2030-05-01T08:00:00.000Z';

/** Deep-ish partial of a friend view. */
export interface FriendViewOverrides {
  link?: Partial<FriendView['link']>;
  order?: Partial<FriendView['order']>;
  shop?: Partial<FriendView['shop']>;
  contributions?: FriendView['contributions'];
  my_payments?: FriendView['my_payments'];
  server_time?: string;
}

/** A single-mode, active link for ¥12.34, expiring 1 h 30 min after `SERVER_TIME`. */
export function friendView(overrides: FriendViewOverrides = {}): FriendView {
  return {
    link: {
      status: 'active',
      mode: 'single',
      expires_at: '2030-05-01T09:30:00.000Z',
      message: '帮我付一下咖啡豆，谢谢！',
      requester: { name: '张*', avatar_url: null },
      paying: false,
      url: 'https://pay.test/p/lnk_AAAAAAAAAAAA.abcdefghijklmno',
      qr_url: 'https://pay.test/p/lnk_AAAAAAAAAAAA.abcdefghijklmno/qr.png',
      ...overrides.link,
    },
    shop: { name: '好物小店 Demo Shop', ...overrides.shop },
    order: {
      amount_total: 1234,
      amount_paid: 0,
      amount_refunded: 0,
      amount_due: 1234,
      amount_reserved: 0,
      currency: 'CNY',
      items: [
        { title: '云南小粒咖啡豆 250g', quantity: 1, unit_price: 1134, image_url: 'https://img.test/beans.png' },
        { title: '包装费 Packaging', quantity: 1, unit_price: 100 },
      ],
      shop_order_id: 'demo-o123',
      ...overrides.order,
    },
    contributions: overrides.contributions ?? [],
    my_payments: overrides.my_payments ?? [],
    server_time: overrides.server_time ?? SERVER_TIME,
  };
}

/** The friend's payment, open unless told otherwise. */
export function paymentView(overrides: Partial<PaymentView> = {}): PaymentView {
  return {
    id: 'pay_1',
    link_id: 'lnk_1',
    status: 'created',
    amount: 1234,
    created_at: SERVER_TIME,
    paid_at: null,
    refunded_amount: 0,
    payable_until: '2030-05-01T09:30:00.000Z',
    transaction_id: overrides.status === 'paid' ? '4200000001202605011234567890' : null,
    payer_name: null,
    refunds: [],
    ...overrides,
  };
}

/** `POST /v1/pay/{ref}/payments` answer in sandbox mode. */
export function createdPayment(overrides: Partial<PaymentView> = {}): CreatePaymentResponse {
  return {
    payment: paymentView(overrides),
    request_payment: { timeStamp: '1903939200', nonceStr: 'n0nce', package: 'prepay_id=wx_prepay_1', signType: 'RSA', paySign: 'c2lnbg==' },
    sandbox: { prepay_id: 'wx_prepay_1', openid: 'sandbox-friend-a' },
  };
}

/** A problem+json answer with the catalog's status for `code`. */
export function problem(code: ErrorCode, extras: Partial<Problem> = {}): FakeAnswer {
  const { status, title } = errorCatalog[code];
  return { status, body: { type: 'about:blank', title, status, code, detail: title, request_id: 'req_1', ...extras } };
}

/** A 200 JSON answer. */
export function ok(body: unknown, status = 200): FakeAnswer {
  return { status, body };
}

/** The shopper's view of the link (`GET /v1/share/{s}`): the friend view plus the shopper's part. */
export function shopperViewOf(overrides: FriendViewOverrides & { card?: CardView | null; audience?: 'group' | 'private'; shopper?: ShopperView['shopper']; templates?: ShopperView['subscribe_templates'] } = {}): ShopperView {
  const base = friendView(overrides);
  return {
    ...base,
    link: { ...base.link, id: 'lnk_1', audience: overrides.audience ?? 'group', room_limit: base.link.mode === 'group' ? 3 : 1, token: TOKEN, code: 'lnk_1.abcdefghijklmno', share: { title: '帮我付一下：¥12.34', path: `/pages/pay/index?t=${TOKEN}`, imageUrl: '' } },
    refunds: [],
    card: overrides.card === undefined ? null : overrides.card,
    shopper: overrides.shopper ?? { bound: false },
    subscribe_templates: overrides.templates ?? { friend_paid: 'tpl-friend-paid', link_expiring: 'tpl-link-expiring' },
  };
}
