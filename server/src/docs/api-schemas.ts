/**
 * The answers of the HTTP API as zod schemas, for the OpenAPI document (openapi.ts). The request
 * schemas are the routes' own (orders/order-schema.ts and friends); these describe what comes back.
 * Each is checked at compile time against its type in shared/api-types.ts (`sameShape` below), so
 * the document cannot drift from what the server sends.
 */
import { z } from 'zod';
import type {
  Contribution,
  CreatePaymentResponse,
  DeliveryView,
  DemoResponse,
  FriendView,
  IssuedLinkResponse,
  LinkResponse,
  OrderLinksResponse,
  OrderListResponse,
  OrderResponse,
  PaymentView,
  RefundView,
  SandboxWebhook,
  SessionResponse,
  WebhookDelivery,
} from '../../../shared/api-types';
import { errorCatalog } from '../../../shared/errors';
import { linkModes, linkStatuses, orderStatuses, paymentStatuses } from '../../../shared/states';

const fen = (description: string) => z.number().int().meta({ description: `${description}, in fen (1/100 CNY)` });
const time = (description: string) => z.string().meta({ description: `${description} (RFC 3339, UTC)`, format: 'date-time' });
const nullableTime = (description: string) => time(description).nullable();

/** RFC 9457 problem details: every error answer. */
export const problemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  code: z.enum(Object.keys(errorCatalog) as [keyof typeof errorCatalog, ...(keyof typeof errorCatalog)[]]).meta({ description: 'Stable error code (shared/errors.ts)' }),
  detail: z.string().optional(),
  request_id: z.string().optional(),
  retry_after: z.number().int().optional().meta({ description: 'Seconds until a retry may succeed (LINK_BUSY, RATE_LIMITED)' }),
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional().meta({ description: 'Which fields failed validation' }),
});

const orderItem = z.object({ title: z.string(), quantity: z.number().int(), unit_price: fen('Price of one'), image_url: z.string().optional() });
const shipTo = z.object({ name: z.string().optional(), phone: z.string().optional(), address: z.string().optional() });

/** A paid contribution as the shop sees it. */
export const contributionSchema = z.object({
  payment_id: z.string(),
  link_id: z.string(),
  payer: z.string().meta({ description: "The friend's WeChat openid, masked" }),
  payer_name: z.string().meta({ description: 'The name the friend gave when paying, else "微信好友 N" by the order in which friends paid' }),
  amount: fen('What the friend paid'),
  status: z.enum(paymentStatuses),
  paid_at: nullableTime('When WeChat Pay took the money'),
  refunded_amount: fen('What went back to the friend'),
});

const refundView = z.object({
  id: z.string(),
  payment_id: z.string(),
  payer: z.string(),
  payer_name: z.string(),
  amount: fen('Refunded'),
  reason: z.string(),
  status: z.enum(['pending', 'processing', 'succeeded', 'failed']),
  created_at: time('Created'),
  succeeded_at: nullableTime('WeChat Pay confirmed the refund'),
});

const orderFields = {
  id: z.string(),
  shop_order_id: z.string(),
  shopper_id: z.string(),
  status: z.enum(orderStatuses),
  amount_total: fen('The order total'),
  amount_paid: fen('Paid by friends and kept'),
  amount_refunded: fen('Refunded to friends'),
  amount_due: fen('Still to pay (0 unless pending)'),
  currency: z.literal('CNY'),
  items: z.array(orderItem),
  pay_deadline: time('After it the order closes'),
  ship_to: shipTo.nullable(),
  created_at: time('Created'),
  cancelled_at: nullableTime('Cancelled'),
};

/** An order as the shop sees it. */
export const orderResponseSchema = z.object({ ...orderFields, payers: z.array(contributionSchema), refunds: z.array(refundView) });

/** `GET /v1/orders`. */
export const orderListSchema = z.object({
  orders: z.array(z.object(orderFields)).meta({ description: 'Newest first, without payers and refunds (GET /v1/orders/{id} has them)' }),
  next_cursor: z.string().nullable().meta({ description: 'Pass as `cursor` for the next page; null when there is none' }),
});

const shareCard = z.object({ title: z.string(), path: z.string(), imageUrl: z.string() });

const linkFields = {
  id: z.string(),
  order_id: z.string(),
  status: z.enum(linkStatuses),
  mode: z.enum(linkModes),
  expires_at: time('The link stops working'),
  created_at: time('Issued'),
  message: z.string().nullable(),
  requester: z.object({ id: z.string(), name: z.string(), avatar_url: z.string().nullable() }),
  amount_total: fen('The order total'),
  amount_paid: fen('Paid'),
  amount_due: fen('Still to pay'),
  contributions: z.array(contributionSchema),
};

/** A link as the shop sees it. */
export const linkResponseSchema = z.object(linkFields);

/** A freshly issued link, with its share material. */
export const issuedLinkSchema = z.object({
  ...linkFields,
  token: z.string().meta({ description: 'JWT link reference (share cards)' }),
  code: z.string().meta({ description: 'Short link reference, at most 32 characters (mini program code scene)' }),
  url: z.string().meta({ description: '{PUBLIC_BASE_URL}/p/{code}' }),
  share: shareCard,
  qr_url: z.string(),
});

/** `GET /v1/orders/{id}/links`. */
export const orderLinksSchema = z.object({ links: z.array(linkResponseSchema) });

/** A payment as its payer sees it. */
export const paymentViewSchema = z.object({
  id: z.string(),
  link_id: z.string(),
  status: z.enum(paymentStatuses),
  amount: fen('Paid or being paid'),
  created_at: time('Created'),
  paid_at: nullableTime('Paid'),
  refunded_amount: fen('Refunded'),
  payable_until: time('The pay sheet accepts it until then'),
  transaction_id: z.string().nullable().meta({ description: "WeChat Pay's transaction number (微信支付单号), once paid" }),
  payer_name: z.string().nullable(),
});

/** What a friend sees for a link. */
export const friendViewSchema = z.object({
  link: z.object({
    status: z.enum(linkStatuses),
    mode: z.enum(linkModes),
    expires_at: time('The link stops working'),
    message: z.string().nullable(),
    requester: z.object({ name: z.string().meta({ description: 'Masked (张*)' }), avatar_url: z.string().nullable() }),
    paying: z.boolean().meta({ description: 'A friend is in the WeChat pay sheet right now' }),
    url: z.string(),
  }),
  shop: z.object({ name: z.string() }),
  order: z.object({
    amount_total: fen('The order total'),
    amount_paid: fen('Paid'),
    amount_due: fen('Still to pay'),
    amount_reserved: fen('Being paid right now'),
    currency: z.literal('CNY'),
    items: z.array(orderItem),
    shop_order_id: z.string(),
  }),
  contributions: z.array(z.object({ payer: z.string().meta({ description: "Masked name, in full for the viewer's own" }), amount: fen('Paid'), paid_at: time('Paid') })),
  my_payments: z.array(paymentViewSchema),
  server_time: time("The server's clock"),
});

/** `POST /v1/sessions` answer. */
export const sessionResponseSchema = z.object({ session_token: z.string(), expires_in: z.number().int(), user: z.string().meta({ description: 'The WeChat user, masked' }) });

/** `POST /v1/pay/{ref}/payments` answer. */
export const createPaymentResponseSchema = z.object({
  payment: paymentViewSchema,
  request_payment: z.object({ timeStamp: z.string(), nonceStr: z.string(), package: z.string(), signType: z.literal('RSA'), paySign: z.string() }).meta({ description: 'The parameters of wx.requestPayment, as WeChat names them' }),
  sandbox: z.object({ prepay_id: z.string(), openid: z.string() }).optional().meta({ description: 'Sandbox only: what the sandbox pay sheet sends to /sandbox/wechatpay/pay' }),
});

const deliveryView = z.object({
  id: z.string(),
  type: z.enum(['link.paid', 'link.expired', 'link.revoked', 'payment.refunded']),
  state: z.enum(['pending', 'retrying', 'delivered', 'not_sent']).meta({ description: 'not_sent: the shop has no webhook URL' }),
  created_at: time('The event happened'),
  delivered_at: nullableTime('The shop answered 2xx'),
  attempts: z.number().int(),
  next_attempt_at: nullableTime('The next try'),
  last_error: z.string().nullable(),
});

/** `GET /v1/deliveries`. */
export const deliveriesSchema = z.object({ webhook_url: z.string().nullable(), deliveries: z.array(deliveryView) });

const webhookPayer = z.object({ payment_id: z.string(), payer: z.string(), payer_name: z.string(), amount: fen('Kept by the order'), paid_at: time('Paid') });
const envelope = { id: z.string().meta({ description: 'Unique per event, the same on every retry' }), created_at: time('The event happened') };

/** `link.paid`: the order is fully paid. */
export const linkPaidEventSchema = z.object({
  ...envelope,
  type: z.literal('link.paid'),
  data: z.object({
    link_id: z.string(),
    order_id: z.string(),
    shop_order_id: z.string(),
    mode: z.enum(linkModes),
    amount_total: fen('The order total'),
    amount_paid: fen('Paid'),
    paid_at: time('The last contribution was paid'),
    status: z.enum(linkStatuses),
    payers: z.array(webhookPayer),
  }),
});

/** `link.expired`. */
export const linkExpiredEventSchema = z.object({ ...envelope, type: z.literal('link.expired'), data: z.object({ link_id: z.string(), order_id: z.string(), status: z.literal('expired'), at: time('Expired') }) });

/** `link.revoked`. */
export const linkRevokedEventSchema = z.object({ ...envelope, type: z.literal('link.revoked'), data: z.object({ link_id: z.string(), order_id: z.string(), status: z.literal('revoked'), at: time('Revoked') }) });

/** `payment.refunded`: money went back to the friend who paid it. */
export const paymentRefundedEventSchema = z.object({
  ...envelope,
  type: z.literal('payment.refunded'),
  data: z.object({
    payment_id: z.string(),
    refund_id: z.string(),
    order_id: z.string(),
    link_id: z.string(),
    payer: z.string(),
    payer_name: z.string(),
    amount: fen('Refunded'),
    reason: z.string(),
    refunded_at: time('WeChat Pay confirmed it'),
  }),
});

/** The sandbox's demo. */
export const demoResponseSchema = z.object({
  shop: z.object({ id: z.string(), name: z.string(), api_key: z.string(), webhook_secret: z.string() }).meta({ description: "The data folder's demo shop, the same on every call" }),
  order: orderResponseSchema,
  link: issuedLinkSchema,
});

/** `GET|POST /sandbox/clock` answer. */
export const sandboxClockSchema = z.object({ now: time("The sandbox server's clock"), offset_seconds: z.number() });

/** `GET /sandbox/webhooks` answer. */
export const sandboxWebhooksSchema = z.object({
  webhooks: z.array(z.object({ id: z.string(), type: z.string(), shop_id: z.string(), received_at: time('Received'), signature_valid: z.boolean(), data: z.unknown() })),
});

/** `GET /` answer: where to go from here. */
export const indexSchema = z.object({
  name: z.string(),
  docs: z.string(),
  openapi: z.string(),
  health: z.string(),
  qa_page: z.string().optional().meta({ description: 'Sandbox only: the QA page of the H5 build' }),
});

/** True when A and B are the same type both ways. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

/** Compile-time proof that each schema says what the shared type says; a drift fails `tsc`. */
export const sameShape: [
  Same<z.output<typeof orderResponseSchema>, OrderResponse>,
  Same<z.output<typeof contributionSchema>, Contribution>,
  Same<z.output<typeof refundView>, RefundView>,
  Same<z.output<typeof orderListSchema>, OrderListResponse>,
  Same<z.output<typeof linkResponseSchema>, LinkResponse>,
  Same<z.output<typeof issuedLinkSchema>, IssuedLinkResponse>,
  Same<z.output<typeof orderLinksSchema>, OrderLinksResponse>,
  Same<z.output<typeof paymentViewSchema>, PaymentView>,
  Same<z.output<typeof friendViewSchema>, FriendView>,
  Same<z.output<typeof sessionResponseSchema>, SessionResponse>,
  Same<z.output<typeof createPaymentResponseSchema>, CreatePaymentResponse>,
  Same<z.output<typeof deliveryView>, DeliveryView>,
  Same<z.output<typeof linkPaidEventSchema> | z.output<typeof linkExpiredEventSchema> | z.output<typeof linkRevokedEventSchema> | z.output<typeof paymentRefundedEventSchema>, WebhookDelivery>,
  Same<z.output<typeof demoResponseSchema>, DemoResponse>,
  Same<z.output<typeof sandboxWebhooksSchema>['webhooks'][number], SandboxWebhook>,
] = [true, true, true, true, true, true, true, true, true, true, true, true, true, true, true];
