/**
 * The OpenAPI 3.1 document of the HTTP API, generated: every operation below names the zod schemas
 * its route validates with (requests) and answers with (api-schemas.ts), and `z.toJSONSchema`
 * turns them into JSON Schema 2020-12, which OpenAPI 3.1 speaks. Nothing here is hand-written JSON
 * Schema. test/docs/openapi.test.ts walks the app's routes: every route is documented here and every
 * operation here is a route.
 */
import { z } from 'zod';
import type { WebhookDelivery } from '../../../shared/api-types';
import { errorCatalog, type ErrorCode } from '../../../shared/errors';
import { activitySchema, proofSchema, subscriptionsSchema } from '../live/live-routes';
import { linkInputSchema } from '../links/link-schema';
import { orderInputSchema, orderListQuerySchema } from '../orders/order-schema';
import { createPaymentSchema } from '../payments/payment-schema';
import { refundSchema } from '../payments/refund-routes';
import { clockSchema, demoSchema } from '../sandbox/qa/sandbox-routes';
import { faultsBodySchema, loginBodySchema, payBodySchema } from '../sandbox/simulators/sandbox-wechat-routes';
import { sessionSchema } from '../sessions/session-routes';
import {
  activityResponseSchema,
  createPaymentResponseSchema,
  createRefundResponseSchema,
  deliveriesSchema,
  demoResponseSchema,
  friendViewSchema,
  indexSchema,
  issuedLinkSchema,
  linkExpiredEventSchema,
  linkPaidEventSchema,
  linkResponseSchema,
  linkRevokedEventSchema,
  orderLinksSchema,
  orderListSchema,
  orderRefundedEventSchema,
  orderResponseSchema,
  paymentRefundedEventSchema,
  paymentViewSchema,
  problemSchema,
  refundAbnormalEventSchema,
  refundViewSchema,
  sandboxClockSchema,
  sandboxWebhooksSchema,
  sessionResponseSchema,
  shopLinkSchema,
  shopperSessionSchema,
  shopperViewSchema,
  subscriptionsResponseSchema,
  urlLinkSchema,
} from './api-schemas';

/** Who may call an operation. */
type Auth = 'shop' | 'session' | 'session-optional' | 'none';

/** How an answer's body is written. */
type Media = 'json' | 'html' | 'png' | 'text';

/** One possible answer of an operation. */
interface Answer {
  description: string;
  body?: z.ZodType;
  media?: Media;
}

/** One operation: a method on a path, and what goes in and out. */
export interface Operation {
  method: 'get' | 'post' | 'delete';
  /** OpenAPI's path template: `/v1/orders/{id}`. */
  path: string;
  tag: string;
  summary: string;
  description?: string;
  auth: Auth;
  idempotencyKey?: 'optional' | 'required';
  body?: z.ZodType;
  query?: z.ZodObject;
  /** Answers by status; problem answers are added from `problems`. */
  responses: Record<string, Answer>;
  /** Error codes this operation may answer with (RFC 9457 problem+json). */
  problems?: ErrorCode[];
  /** Mounted only in sandbox mode. */
  sandboxOnly?: boolean;
  /** Mounted only when the server serves the H5 build. */
  h5Only?: boolean;
}

const json = (description: string, body?: z.ZodType): Answer => (body === undefined ? { description } : { description, body });

/** Every operation of the API, grouped by tag, in the order the docs page shows them. */
export const operations: readonly Operation[] = [
  // Shop API
  { method: 'post', path: '/v1/orders', tag: 'Shop API', summary: 'Create an order (upsert by shop_order_id)', auth: 'shop', idempotencyKey: 'optional', body: orderInputSchema,
    responses: { 201: json('Created', orderResponseSchema), 200: json('Identical to the stored order', orderResponseSchema) }, problems: ['VALIDATION_FAILED', 'AMOUNT_INVALID', 'ORDER_CONFLICT', 'IDEMPOTENCY_MISMATCH'] },
  { method: 'get', path: '/v1/orders', tag: 'Shop API', summary: "List the shop's orders, newest first", description: 'Cursor pagination: pass the answer\'s `next_cursor` as `cursor` for the next page. `status` filters (a `pending` page may hold fewer than `limit` orders when some just closed).',
    auth: 'shop', query: orderListQuerySchema, responses: { 200: json('A page of orders', orderListSchema) }, problems: ['VALIDATION_FAILED'] },
  { method: 'get', path: '/v1/orders/{id}', tag: 'Shop API', summary: 'An order with its payers and refunds', auth: 'shop', responses: { 200: json('The order', orderResponseSchema) }, problems: ['ORDER_NOT_FOUND'] },
  { method: 'post', path: '/v1/orders/{id}/cancel', tag: 'Shop API', summary: 'Cancel an order: live links become void, everything friends paid goes back to them', auth: 'shop', idempotencyKey: 'optional',
    description: 'Open WeChat orders are closed before the answer; `closing_payments` lists those WeChat did not confirm yet (the reconciler keeps closing them).',
    responses: { 200: json('The cancelled order', orderResponseSchema) }, problems: ['ORDER_NOT_FOUND', 'ORDER_NOT_PENDING'] },
  { method: 'post', path: '/v1/orders/{id}/refunds', tag: 'Shop API', summary: 'After-sale refund: split over the contributions, or from one payment', auth: 'shop', idempotencyKey: 'required', body: refundSchema,
    description: 'Without `payment_id` the amount is split over the contributions in proportion to what each paid (largest remainder, ties to the latest payment); each refund goes back to its payer the way they paid. WeChat\'s limits (50 refunds a payment, a year after payment) are refused before WeChat is asked.',
    responses: { 201: json('One refund per contribution it touches', createRefundResponseSchema) },
    problems: ['IDEMPOTENCY_KEY_INVALID', 'IDEMPOTENCY_MISMATCH', 'VALIDATION_FAILED', 'ORDER_NOT_FOUND', 'PAYMENT_NOT_FOUND', 'ORDER_NOT_PAID', 'NOTHING_TO_REFUND', 'REFUND_EXCEEDS_PAID', 'REFUND_LIMIT_REACHED', 'REFUND_PERIOD_OVER'] },
  { method: 'get', path: '/v1/refunds/{id}', tag: 'Shop API', summary: 'One refund: pending -> processing -> succeeded, abnormal or closed', auth: 'shop', responses: { 200: json('The refund', refundViewSchema) }, problems: ['NOT_FOUND'] },
  { method: 'post', path: '/v1/orders/{id}/links', tag: 'Shop API', summary: 'Issue a pay link for a pending order', auth: 'shop', idempotencyKey: 'optional', body: linkInputSchema,
    responses: { 201: json('The link and its share material', issuedLinkSchema) }, problems: ['VALIDATION_FAILED', 'TTL_INVALID', 'ORDER_NOT_FOUND', 'ORDER_NOT_PENDING'] },
  { method: 'get', path: '/v1/orders/{id}/links', tag: 'Shop API', summary: "Every link of an order, oldest first", auth: 'shop', responses: { 200: json('The links', orderLinksSchema) }, problems: ['ORDER_NOT_FOUND'] },
  { method: 'get', path: '/v1/links/{id}', tag: 'Shop API', summary: 'A link with its contributions (and its share material again while it can be paid)', auth: 'shop', responses: { 200: json('The link', shopLinkSchema) }, problems: ['LINK_NOT_FOUND'] },
  { method: 'post', path: '/v1/links/{id}/revoke', tag: 'Shop API', summary: 'Revoke an active link', description: 'Open WeChat orders of the link are closed before the answer (`closing_payments` as for cancel).',
    auth: 'shop', idempotencyKey: 'optional', responses: { 200: json('The link', linkResponseSchema) }, problems: ['LINK_NOT_FOUND', 'LINK_PAID'] },
  { method: 'get', path: '/v1/links/{id}/qr.png', tag: 'Shop API', summary: "The link's mini program code (scene = its code, page pages/pay/index), made once by WeChat and kept", auth: 'shop',
    responses: { 200: { description: 'PNG image', media: 'png' } }, problems: ['LINK_NOT_FOUND', 'LINK_EXPIRED', 'LINK_REVOKED', 'LINK_VOID', 'LINK_PAID', 'WECHAT_QUOTA_EXCEEDED', 'WECHAT_UNAVAILABLE', 'WECHAT_REFUSED'] },
  { method: 'get', path: '/v1/links/{id}/url-link', tag: 'Shop API', summary: "The link's URL Link: opens the pay page from a phone browser, SMS or another app (made once, kept, expiring with the link)", auth: 'shop',
    responses: { 200: json('The URL Link', urlLinkSchema) }, problems: ['LINK_NOT_FOUND', 'LINK_EXPIRED', 'LINK_REVOKED', 'LINK_VOID', 'LINK_PAID', 'WECHAT_QUOTA_EXCEEDED', 'WECHAT_UNAVAILABLE', 'WECHAT_REFUSED'] },
  { method: 'get', path: '/v1/deliveries', tag: 'Shop API', summary: "The shop's webhook events and their delivery state, newest first (at most 100)", auth: 'shop', responses: { 200: json('Deliveries', deliveriesSchema) } },
  // Friend API
  { method: 'get', path: '/v1/pay/{ref}', tag: 'Friend API', summary: 'What a friend sees for a link (token or code)', description: 'Answers 200 for every known link whatever its status. With a session token, `my_payments` holds the viewer\'s own payments.',
    auth: 'session-optional', responses: { 200: json('The friend view', friendViewSchema) }, problems: ['LINK_INVALID', 'LINK_NOT_FOUND', 'RATE_LIMITED'] },
  { method: 'post', path: '/v1/sessions', tag: 'Friend API', summary: 'Trade a wx.login code for a session', auth: 'none', body: sessionSchema,
    responses: { 201: json('The session', sessionResponseSchema) }, problems: ['SESSION_INVALID', 'LOGIN_REJECTED', 'RATE_LIMITED', 'WECHAT_UNAVAILABLE'] },
  { method: 'post', path: '/v1/pay/{ref}/payments', tag: 'Friend API', summary: 'Pay: open a payment and get the wx.requestPayment parameters', description: 'The same friend retrying with the same Idempotency-Key gets the same payment back.',
    auth: 'session', idempotencyKey: 'required', body: createPaymentSchema, responses: { 201: json('The payment and the pay sheet parameters', createPaymentResponseSchema) },
    problems: ['IDEMPOTENCY_KEY_INVALID', 'LINK_BUSY', 'LINK_PAID', 'LINK_EXPIRED', 'LINK_REVOKED', 'LINK_VOID', 'AMOUNT_INVALID', 'VALIDATION_FAILED', 'WECHAT_UNAVAILABLE'] },
  { method: 'get', path: '/v1/payments/{id}', tag: 'Friend API', summary: "The payer's own payment (checked with WeChat Pay when still open after 3 s)", auth: 'session', responses: { 200: json('The payment', paymentViewSchema) }, problems: ['PAYMENT_NOT_FOUND'] },
  { method: 'post', path: '/v1/payments/{id}/cancel', tag: 'Friend API', summary: 'The payer gave up in the pay sheet: close the WeChat order, free the link', auth: 'session', responses: { 200: json('The payment', paymentViewSchema) }, problems: ['PAYMENT_NOT_FOUND', 'WECHAT_UNAVAILABLE'] },
  { method: 'get', path: '/p/{code}/qr.png', tag: 'Friend API', summary: "The link's mini program code, public (posters, the landing page)", auth: 'none',
    responses: { 200: { description: 'PNG image', media: 'png' } }, problems: ['LINK_INVALID', 'LINK_NOT_FOUND', 'LINK_EXPIRED', 'LINK_REVOKED', 'LINK_VOID', 'LINK_PAID', 'RATE_LIMITED', 'WECHAT_QUOTA_EXCEEDED', 'WECHAT_UNAVAILABLE', 'WECHAT_REFUSED'] },
  { method: 'post', path: '/v1/pay/{ref}/private-proof', tag: 'Friend API', summary: 'A friend proves they received a private card (what wx.authPrivateMessage returned)', auth: 'session', body: proofSchema,
    responses: { 204: { description: 'Proved: this friend may pay the private link' } }, problems: ['LINK_NOT_FOUND', 'PRIVATE_LINK', 'SESSION_INVALID', 'RATE_LIMITED'] },
  { method: 'post', path: '/v1/subscriptions', tag: 'Friend API', summary: 'Record what wx.requestSubscribeMessage answered, for a link (a friend) or a shopper token (the shopper)', auth: 'session', body: subscriptionsSchema,
    responses: { 201: json('The subscriptions recorded', subscriptionsResponseSchema) }, problems: ['LINK_NOT_FOUND', 'VALIDATION_FAILED', 'SESSION_INVALID', 'RATE_LIMITED'] },
  // Shopper API (live status in the chat)
  { method: 'get', path: '/v1/share/{token}', tag: 'Shopper API', summary: "The shopper's view of their link (token: the shopper token)", auth: 'session-optional',
    responses: { 200: json("The shopper's view", shopperViewSchema) }, problems: ['SHOPPER_TOKEN_INVALID', 'LINK_NOT_FOUND', 'RATE_LIMITED'] },
  { method: 'post', path: '/v1/share/{token}/session', tag: 'Shopper API', summary: 'Bind the calling WeChat user as the shopper (the first one only)', auth: 'session',
    responses: { 200: json('Bound', shopperSessionSchema) }, problems: ['SHOPPER_TOKEN_INVALID', 'SHOPPER_BOUND', 'SESSION_INVALID', 'RATE_LIMITED'] },
  { method: 'post', path: '/v1/share/{token}/activity', tag: 'Shopper API', summary: 'A share card that updates in the chat: what wx.updateShareMenu needs', auth: 'none', body: activitySchema,
    responses: { 200: json('The activity', activityResponseSchema) }, problems: ['SHOPPER_TOKEN_INVALID', 'SHOPPER_NOT_BOUND', 'PRIVATE_LINK', 'LINK_EXPIRED', 'LINK_PAID', 'LINK_REVOKED', 'LINK_VOID', 'WECHAT_UNAVAILABLE', 'RATE_LIMITED'] },
  { method: 'get', path: '/p/{code}', tag: 'Friend API', summary: 'Landing page of a link opened outside WeChat (HTML)', auth: 'none', responses: { 200: { description: 'HTML page', media: 'html' }, 400: { description: 'Malformed or tampered link (HTML)', media: 'html' }, 404: { description: 'Unknown link (HTML)', media: 'html' } } },
  // WeChat Pay
  { method: 'post', path: '/v1/wechatpay/notify', tag: 'WeChat Pay', summary: 'WeChat Pay notifications (payments and refunds)', description: 'Signed by WeChat Pay (Wechatpay-Signature over the raw body, ±5 min), resource AES-256-GCM encrypted with the APIv3 key. Answers 204, or 4xx/5xx with `{"code":"FAIL","message":...}`.',
    auth: 'none', responses: { 204: { description: 'Applied (or a duplicate)' }, 401: json('Signature or timestamp refused', z.object({ code: z.literal('FAIL'), message: z.string() })) } },
  // Operations
  { method: 'get', path: '/', tag: 'Operations', summary: 'Where to go from here: the docs (and in the sandbox the QA page)', auth: 'none', responses: { 200: json('Pointers', indexSchema) } },
  { method: 'get', path: '/openapi.json', tag: 'Operations', summary: 'This document', auth: 'none', responses: { 200: { description: 'OpenAPI 3.1 document' } } },
  { method: 'get', path: '/docs', tag: 'Operations', summary: 'This document as a page to read', auth: 'none', responses: { 200: { description: 'HTML page', media: 'html' } } },
  { method: 'get', path: '/healthz', tag: 'Operations', summary: 'The process answers', auth: 'none', responses: { 200: json('Up', z.object({ status: z.literal('ok') })) } },
  { method: 'get', path: '/readyz', tag: 'Operations', summary: 'The store answers too', auth: 'none', responses: { 200: json('Ready', z.object({ status: z.literal('ready'), store: z.enum(['sqlite', 'postgres']) })) }, problems: ['STORE_UNAVAILABLE'] },
  { method: 'get', path: '/metrics', tag: 'Operations', summary: 'Prometheus metrics', auth: 'none', responses: { 200: { description: 'Prometheus text format', media: 'text' } } },
  { method: 'get', path: '/app', tag: 'Operations', summary: 'The H5 build of the mini program: redirects to /app/ (the pages are served below it)', auth: 'none', responses: { 301: { description: 'To /app/' } }, h5Only: true },
  // Sandbox
  { method: 'post', path: '/sandbox/demo', tag: 'Sandbox', summary: "A new demo order and link for the data folder's demo shop", auth: 'none', body: demoSchema, responses: { 201: json('The demo shop, order and link', demoResponseSchema) }, sandboxOnly: true },
  { method: 'get', path: '/sandbox/clock', tag: 'Sandbox', summary: "The sandbox server's clock", auth: 'none', responses: { 200: json('The clock', sandboxClockSchema) }, sandboxOnly: true },
  { method: 'post', path: '/sandbox/clock', tag: 'Sandbox', summary: 'Move the server clock forward (kept across restarts for this database)', auth: 'none', body: clockSchema, responses: { 200: json('The clock', sandboxClockSchema) }, problems: ['VALIDATION_FAILED'], sandboxOnly: true },
  { method: 'post', path: '/sandbox/wx/login', tag: 'Sandbox', summary: 'A login code for a simulated WeChat user (instead of wx.login)', auth: 'none', body: loginBodySchema, responses: { 200: json('The code', z.object({ code: z.string(), openid: z.string() })) }, sandboxOnly: true },
  { method: 'post', path: '/sandbox/wechatpay/pay', tag: 'Sandbox', summary: "The payer's answer in WeChat's pay sheet (success sends a signed notification)", auth: 'none', body: payBodySchema,
    responses: { 200: json('What the simulator did', z.object({ out_trade_no: z.string(), trade_state: z.string(), transaction_id: z.string().nullable(), notification_id: z.string().nullable() })) }, sandboxOnly: true },
  { method: 'get', path: '/sandbox/wechatpay/ledger', tag: 'Sandbox', summary: "WeChat Pay's side of the books (the simulator's transactions and refunds)", auth: 'none', responses: { 200: json('The ledger', z.object({ transactions: z.array(z.unknown()), refunds: z.array(z.unknown()) })) }, sandboxOnly: true },
  { method: 'get', path: '/sandbox/faults', tag: 'Sandbox', summary: "The simulators' fault switches", auth: 'none', responses: { 200: json('The switches', z.record(z.string(), z.unknown())) }, sandboxOnly: true },
  { method: 'post', path: '/sandbox/faults', tag: 'Sandbox', summary: 'Change fault switches (delay, duplicate, drop or reorder notifications; make endpoints fail)', auth: 'none', body: faultsBodySchema, responses: { 200: json('The switches', z.record(z.string(), z.unknown())) }, sandboxOnly: true },
  { method: 'delete', path: '/sandbox/faults', tag: 'Sandbox', summary: 'Every fault switch back to normal', auth: 'none', responses: { 200: json('The switches', z.record(z.string(), z.unknown())) }, sandboxOnly: true },
  { method: 'post', path: '/sandbox/webhook-receiver/{shopId}', tag: 'Sandbox', summary: "The demo shop's webhook endpoint: checks the signature and keeps the delivery", auth: 'none', responses: { 204: { description: 'Received' } }, sandboxOnly: true },
  { method: 'get', path: '/sandbox/wechatpay/certificates', tag: 'Sandbox', summary: "The WeChat Pay simulator's platform certificates", auth: 'none', responses: { 200: json('The certificates', z.record(z.string(), z.unknown())) }, sandboxOnly: true },
  { method: 'post', path: '/sandbox/wechatpay/certificates/rotate', tag: 'Sandbox', summary: 'Rotate the simulator\'s platform certificate (the next answers are signed with a new one)', auth: 'none', responses: { 200: json('The certificates', z.record(z.string(), z.unknown())) }, sandboxOnly: true },
  { method: 'get', path: '/sandbox/urllink/{id}', tag: 'Sandbox', summary: "A simulated URL Link (WeChat's wxaurl.cn): opens the H5 pay page", auth: 'none', responses: { 302: { description: 'To the H5 pay page' } }, sandboxOnly: true },
  { method: 'get', path: '/sandbox/cards/{ref}', tag: 'Sandbox', summary: "The link's share cards as the simulated chat shows them, newest first (ref: token, code or shopper token)", auth: 'none', responses: { 200: json('The cards', z.object({ cards: z.array(z.unknown()) })) }, sandboxOnly: true },
  { method: 'post', path: '/sandbox/wx/share', tag: 'Sandbox', summary: 'The shopper shares a card to friends in the simulated chat', auth: 'none', responses: { 200: json('The share ticket', z.object({ share_ticket: z.string() })) }, sandboxOnly: true },
  { method: 'post', path: '/sandbox/wx/forward', tag: 'Sandbox', summary: 'A friend forwards a card in the simulated chat', auth: 'none', responses: { 200: json('The share ticket', z.record(z.string(), z.unknown())) }, sandboxOnly: true },
  { method: 'post', path: '/sandbox/wx/auth-private-message', tag: 'Sandbox', summary: 'What wx.authPrivateMessage answers a friend who opened a private card', auth: 'none', responses: { 200: json('The encrypted proof', z.record(z.string(), z.unknown())) }, sandboxOnly: true },
  { method: 'post', path: '/sandbox/wx/subscribe', tag: 'Sandbox', summary: 'What wx.requestSubscribeMessage answers', auth: 'none', responses: { 200: json('The answers', z.record(z.string(), z.unknown())) }, sandboxOnly: true },
  { method: 'get', path: '/sandbox/wx/cards/{activityId}', tag: 'Sandbox', summary: 'One card as the simulated chat shows it', auth: 'none', responses: { 200: json('The card', z.record(z.string(), z.unknown())) }, sandboxOnly: true },
  { method: 'get', path: '/sandbox/wx/messages', tag: 'Sandbox', summary: 'The subscribe messages the simulated WeChat delivered', auth: 'none', responses: { 200: json('The messages', z.record(z.string(), z.unknown())) }, sandboxOnly: true },
  { method: 'get', path: '/sandbox/wx/message-faults', tag: 'Sandbox', summary: 'Forced failures of the message APIs', auth: 'none', responses: { 200: json('The faults', z.object({ faults: z.array(z.unknown()) })) }, sandboxOnly: true },
  { method: 'post', path: '/sandbox/wx/message-faults', tag: 'Sandbox', summary: 'Make a message API answer an errcode until cleared', auth: 'none', responses: { 200: json('The faults', z.object({ faults: z.array(z.unknown()) })) }, sandboxOnly: true },
  { method: 'delete', path: '/sandbox/wx/message-faults', tag: 'Sandbox', summary: 'Clear the message API faults', auth: 'none', responses: { 200: json('The faults', z.object({ faults: z.array(z.unknown()) })) }, sandboxOnly: true },
  { method: 'get', path: '/sandbox/webhooks', tag: 'Sandbox', summary: 'What the sandbox webhook receiver got, newest first', auth: 'none', query: z.strictObject({ shop_id: z.string().optional() }), responses: { 200: json('Deliveries received', sandboxWebhooksSchema) }, sandboxOnly: true },
];

/** The webhook events a shop receives, each with an example. */
const webhookEvents: { type: WebhookDelivery['type']; summary: string; schema: z.ZodType; example: WebhookDelivery }[] = [
  {
    type: 'link.paid',
    summary: 'The order is fully paid (the link that completed it is paid, the others void)',
    schema: linkPaidEventSchema,
    example: {
      id: 'evt_7yq3M0d2Lk9wQe1T', type: 'link.paid', created_at: '2026-12-02T02:15:09.000Z',
      data: {
        link_id: 'lnk_KimSC1RjrNgc', order_id: 'ord_Tpc7pwXDuUNhoPd5', shop_order_id: 'SO-20261202-0042', mode: 'single', amount_total: 1234, amount_paid: 1234,
        paid_at: '2026-12-02T02:15:08.000Z', status: 'paid',
        payers: [{ payment_id: 'pay_Q2m8T0aLr5Xy', payer: 'oUp***S6o', payer_name: '李雷', amount: 1234, paid_at: '2026-12-02T02:15:08.000Z' }],
      },
    },
  },
  {
    type: 'link.expired',
    summary: "The link's time ran out before it was paid",
    schema: linkExpiredEventSchema,
    example: { id: 'evt_Hk2Lq9ZxW1cV3b7N', type: 'link.expired', created_at: '2026-12-03T02:13:00.000Z', data: { link_id: 'lnk_KimSC1RjrNgc', order_id: 'ord_Tpc7pwXDuUNhoPd5', status: 'expired', at: '2026-12-03T02:13:00.000Z' } },
  },
  {
    type: 'link.revoked',
    summary: 'The shop revoked the link',
    schema: linkRevokedEventSchema,
    example: { id: 'evt_Pn4Rt6Yu8Io0Pa2S', type: 'link.revoked', created_at: '2026-12-02T03:00:00.000Z', data: { link_id: 'lnk_KimSC1RjrNgc', order_id: 'ord_Tpc7pwXDuUNhoPd5', status: 'revoked', at: '2026-12-02T03:00:00.000Z' } },
  },
  {
    type: 'payment.refunded',
    summary: 'Money went back to the friend who paid it (order cancelled, after-sale refund, over-payment, link no longer payable)',
    schema: paymentRefundedEventSchema,
    example: {
      id: 'evt_Df5Gh7Jk9Lz1Xc3V', type: 'payment.refunded', created_at: '2026-12-02T04:00:02.000Z',
      data: { payment_id: 'pay_Q2m8T0aLr5Xy', refund_id: 'rfd_Bn6Mq8Wr0Ty2', order_id: 'ord_Tpc7pwXDuUNhoPd5', link_id: 'lnk_KimSC1RjrNgc', payer: 'oUp***S6o', payer_name: '李雷', amount: 1234, reason: 'order_cancelled', kind: 'order_cancelled', refunded_at: '2026-12-02T04:00:02.000Z' },
    },
  },
  {
    type: 'order.refunded',
    summary: 'Everything the order counted as paid went back to the friends who paid it (status refunded)',
    schema: orderRefundedEventSchema,
    example: {
      id: 'evt_Rf8Kd2Lm4Nq6Pw0Z', type: 'order.refunded', created_at: '2026-12-05T09:30:01.000Z',
      data: {
        order_id: 'ord_Tpc7pwXDuUNhoPd5', shop_order_id: 'SO-20261202-0042', status: 'refunded', amount_paid: 1234, amount_refunded: 1234, refunded_at: '2026-12-05T09:30:01.000Z',
        refunds: [{ refund_id: 'rfd_Bn6Mq8Wr0Ty2', payment_id: 'pay_Q2m8T0aLr5Xy', payer: 'oUp***S6o', amount: 1234 }],
      },
    },
  },
  {
    type: 'refund.abnormal',
    summary: 'A refund did not reach the payer (abnormal: their account could not take it) or WeChat closed it (closed); WeChat does not retry it, the shop handles it',
    schema: refundAbnormalEventSchema,
    example: {
      id: 'evt_Ab3Nm5Rl7Tk9Vj1X', type: 'refund.abnormal', created_at: '2026-12-05T09:30:01.000Z',
      data: {
        refund_id: 'rfd_Bn6Mq8Wr0Ty2', payment_id: 'pay_Q2m8T0aLr5Xy', order_id: 'ord_Tpc7pwXDuUNhoPd5', link_id: 'lnk_KimSC1RjrNgc', payer: 'oUp***S6o', amount: 1234,
        reason: '七天无理由退货', kind: 'after_sale', status: 'abnormal', at: '2026-12-05T09:30:01.000Z',
      },
    },
  },
];

/** Named schemas: referenced as `#/components/schemas/<name>` wherever they appear. */
const responseComponents: [string, z.ZodType][] = [
  ['Problem', problemSchema], ['Order', orderResponseSchema], ['OrderList', orderListSchema], ['Link', linkResponseSchema], ['IssuedLink', issuedLinkSchema], ['OrderLinks', orderLinksSchema],
  ['FriendView', friendViewSchema], ['Session', sessionResponseSchema], ['Payment', paymentViewSchema], ['CreatedPayment', createPaymentResponseSchema], ['Deliveries', deliveriesSchema],
  ['LinkPaidEvent', linkPaidEventSchema], ['LinkExpiredEvent', linkExpiredEventSchema], ['LinkRevokedEvent', linkRevokedEventSchema], ['PaymentRefundedEvent', paymentRefundedEventSchema],
  ['OrderRefundedEvent', orderRefundedEventSchema], ['RefundAbnormalEvent', refundAbnormalEventSchema], ['Refund', refundViewSchema], ['CreatedRefunds', createRefundResponseSchema], ['ShopLink', shopLinkSchema], ['UrlLink', urlLinkSchema],
  ['ShopperView', shopperViewSchema], ['ShopperSession', shopperSessionSchema], ['ShareActivity', activityResponseSchema], ['Subscriptions', subscriptionsResponseSchema],
  ['Demo', demoResponseSchema], ['SandboxClock', sandboxClockSchema], ['SandboxWebhooks', sandboxWebhooksSchema], ['Index', indexSchema],
];
const requestComponents: [string, z.ZodType][] = [
  ['OrderInput', orderInputSchema], ['LinkInput', linkInputSchema], ['SessionInput', sessionSchema], ['PaymentInput', createPaymentSchema],
  ['RefundInput', refundSchema], ['ActivityInput', activitySchema], ['SubscriptionsInput', subscriptionsSchema], ['PrivateProofInput', proofSchema],
  ['DemoInput', demoSchema], ['ClockInput', clockSchema], ['SandboxLoginInput', loginBodySchema], ['SandboxPayInput', payBodySchema], ['SandboxFaultsInput', faultsBodySchema],
];

type JsonObject = Record<string, unknown>;
const ref = (name: string): JsonObject => ({ $ref: `#/components/schemas/${name}` });

/** JSON Schemas of `list`, named, with references between them; `io` says which side of a transform. */
function componentSchemas(list: readonly [string, z.ZodType][], io: 'input' | 'output'): Record<string, JsonObject> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of list) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, { io, target: 'draft-2020-12', unrepresentable: 'any', uri: (id) => `#/components/schemas/${id}` });
  return Object.fromEntries(Object.entries(schemas).map(([name, schema]) => {
    // Each is a component of this document, not a document of its own.
    const { $schema: _schema, $id: _id, ...rest } = schema as JsonObject;
    return [name, rest];
  }));
}

/** A schema where it is used: a reference when it has a name, else inline. */
function schemaAt(schema: z.ZodType, io: 'input' | 'output'): JsonObject {
  const named = (io === 'input' ? requestComponents : responseComponents).find(([, candidate]) => candidate === schema);
  if (named !== undefined) return ref(named[0]);
  const { $schema: _schema, ...inline } = z.toJSONSchema(schema, { io, target: 'draft-2020-12', unrepresentable: 'any' }) as JsonObject;
  return inline;
}

const mediaTypes: Record<Media, string> = { json: 'application/json', html: 'text/html', png: 'image/png', text: 'text/plain' };

function pathParameters(path: string): JsonObject[] {
  return [...path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({ name, in: 'path', required: true, schema: { type: 'string' } }));
}

function queryParameters(query: z.ZodObject | undefined): JsonObject[] {
  if (query === undefined) return [];
  const schema = z.toJSONSchema(query, { io: 'input', target: 'draft-2020-12', unrepresentable: 'any' }) as { properties?: Record<string, JsonObject>; required?: string[] };
  return Object.entries(schema.properties ?? {}).map(([name, property]) => {
    const { description, ...rest } = property;
    return { name, in: 'query', required: schema.required?.includes(name) ?? false, schema: rest, ...(typeof description === 'string' ? { description } : {}) };
  });
}

function operationObject(operation: Operation): JsonObject {
  const parameters = [...pathParameters(operation.path), ...queryParameters(operation.query)];
  if (operation.idempotencyKey !== undefined) {
    parameters.push({
      name: 'Idempotency-Key',
      in: 'header',
      required: operation.idempotencyKey === 'required',
      description: operation.idempotencyKey === 'required'
        ? '8-128 printable ASCII characters (a UUID works), new for each attempt and reused only to retry it: a retry never pays twice.'
        : 'Printable ASCII, 1-255 characters (8-128 recommended, e.g. a UUID): the same key and body replay the first answer; the same key with another body is 422 IDEMPOTENCY_MISMATCH.',
      schema: { type: 'string' },
    });
  }
  const responses: Record<string, JsonObject> = {};
  for (const [status, answer] of Object.entries(operation.responses)) {
    const media = answer.media ?? (answer.body === undefined ? undefined : 'json');
    responses[status] = {
      description: answer.description,
      ...(media === undefined ? {} : { content: { [mediaTypes[media]]: answer.body === undefined ? {} : { schema: schemaAt(answer.body, 'output') } } }),
    };
  }
  for (const code of operation.problems ?? []) {
    const status = String(errorCatalog[code].status);
    const existing = responses[status];
    const listed = existing === undefined ? code : `${String(existing.description)}, ${code}`;
    responses[status] = { description: listed, content: { 'application/problem+json': { schema: ref('Problem') } } };
  }
  const security = operation.auth === 'shop' ? [{ shopKey: [] }] : operation.auth === 'session' ? [{ session: [] }] : operation.auth === 'session-optional' ? [{}, { session: [] }] : [];
  return {
    operationId: `${operation.method}${operation.path.replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+(.)?/g, (_m, next: string | undefined) => (next ?? '').toUpperCase())}`,
    tags: [operation.tag],
    summary: operation.summary,
    ...(operation.description === undefined ? {} : { description: operation.description }),
    ...(parameters.length === 0 ? {} : { parameters }),
    ...(operation.body === undefined ? {} : { requestBody: { required: true, content: { 'application/json': { schema: schemaAt(operation.body, 'input') } } } }),
    responses,
    security,
  };
}

/** What the document is built for. */
export interface OpenApiOptions {
  /** Where the API is reached (`servers`). */
  serverUrl: string;
  /** Include the sandbox's operations (only a sandbox server has them). */
  sandbox: boolean;
  /** The server serves the H5 build (`/app`). */
  h5?: boolean;
  /** The file name of WeChat's 扫普通链接二维码打开小程序 verification file, when one is configured (served at `/{name}`). */
  qrcodeVerifyFile?: string | undefined;
}

/** The operations a server of this mode has. */
export function operationsFor(options: Omit<OpenApiOptions, 'serverUrl'>): Operation[] {
  const verifyFile: Operation[] = options.qrcodeVerifyFile === undefined
    ? []
    : [{
        method: 'get', path: `/${options.qrcodeVerifyFile}`, tag: 'Operations', auth: 'none',
        summary: "WeChat's verification file for opening the mini program from ordinary QR codes (WECHAT_QRCODE_VERIFY_FILE), exact bytes",
        responses: { 200: { description: 'The file', media: 'text' } },
      }];
  return [
    ...operations.filter((operation) => (options.sandbox || operation.sandboxOnly !== true) && (options.h5 === true || operation.h5Only !== true)),
    ...verifyFile,
  ];
}

/** Builds the OpenAPI 3.1 document. */
export function buildOpenApiDocument(options: OpenApiOptions): JsonObject {
  const paths: Record<string, Record<string, JsonObject>> = {};
  for (const operation of operationsFor(options)) {
    paths[operation.path] ??= {};
    paths[operation.path][operation.method] = operationObject(operation);
  }
  const webhooks = Object.fromEntries(webhookEvents.map((event) => [event.type, {
    post: {
      summary: event.summary,
      description: 'POSTed to the shop\'s webhook URL, signed: `FriendPay-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body" with the webhook secret>`. Answer 2xx; anything else is retried with backoff, with the same `id`.',
      parameters: [{ name: 'FriendPay-Signature', in: 'header', required: true, schema: { type: 'string' } }],
      requestBody: { required: true, content: { 'application/json': { schema: schemaAt(event.schema, 'output'), examples: { [event.type]: { value: event.example } } } } },
      responses: { '2XX': { description: 'Received' } },
    },
  }]));
  return {
    openapi: '3.1.0',
    info: {
      title: 'Friend Pay API',
      version: '1',
      description: 'Ask a WeChat friend to pay an order. Money fields are integers in fen; times are RFC 3339 UTC; errors are RFC 9457 problem+json with a stable `code`. Every answer carries `X-Request-Id`.',
    },
    servers: [{ url: options.serverUrl }],
    tags: [...new Set(operationsFor(options).map((operation) => operation.tag))].map((name) => ({ name })),
    paths,
    webhooks,
    components: {
      schemas: { ...componentSchemas(requestComponents, 'input'), ...componentSchemas(responseComponents, 'output') },
      securitySchemes: {
        shopKey: { type: 'http', scheme: 'bearer', description: "The shop's API key (npm run shop:create)" },
        session: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'A friend session token from POST /v1/sessions' },
      },
    },
  };
}
