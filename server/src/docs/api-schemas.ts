/**
 * The answers of the HTTP API as zod schemas, for the OpenAPI document (openapi.ts). The request
 * schemas are the routes' own (orders/order-schema.ts and friends); these describe what comes back.
 * Each is checked at compile time against its type in shared/api-types.ts (`sameShape` below), so
 * the document cannot drift from what the server sends.
 */
import { z } from 'zod';
import type {
  ActivityResponse,
  Contribution,
  CreatePaymentResponse,
  CreateRefundResponse,
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
  ShopLinkResponse,
  ShopperSessionResponse,
  ShopperView,
  SubscriptionsResponse,
  UrlLinkResponse,
  WebhookDelivery,
} from '../../../shared/api-types';
import { errorCatalog } from '../../../shared/errors';
import { linkModes, linkStatuses, orderStatuses, paymentStatuses, refundKinds, refundStatuses } from '../../../shared/states';

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
  reason: z.string().meta({ description: 'The shop\'s reason when it gave one, else `kind`' }),
  kind: z.enum(refundKinds),
  status: z.enum(refundStatuses).meta({ description: 'pending -> processing -> succeeded, abnormal (the payer\'s account could not take it; the shop handles it) or closed (nothing went back)' }),
  created_at: time('Created'),
  succeeded_at: nullableTime('WeChat Pay confirmed the refund'),
});

/** `POST /v1/orders/{id}/refunds` answer. */
export const createRefundResponseSchema = z.object({ refunds: z.array(refundView).meta({ description: 'One refund per contribution it touches, each to its payer' }) });

/** `GET /v1/refunds/{id}`. */
export const refundViewSchema = refundView;

const orderFields = {
  id: z.string(),
  shop_order_id: z.string(),
  shopper_id: z.string(),
  status: z.enum(orderStatuses),
  amount_total: fen('The order total'),
  amount_paid: fen('Paid by friends and kept'),
  amount_refunded: fen('What went back of what the order counted as paid (never above amount_paid)'),
  amount_returned_unapplied: fen("Money returned that never counted toward the order (an over-contribution's excess, a payment after the link closed)"),
  amount_due: fen('Still to pay (0 unless pending)'),
  currency: z.literal('CNY'),
  items: z.array(orderItem),
  pay_deadline: time('After it the order closes'),
  ship_to: shipTo.nullable(),
  created_at: time('Created'),
  cancelled_at: nullableTime('Cancelled'),
  closing_payments: z.array(z.string()).optional().meta({ description: 'Cancel answers only: payments whose WeChat order could not be closed yet (the reconciler keeps trying)' }),
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
  audience: z.enum(['group', 'private']).optional().meta({ description: 'Who may pay: anyone it reaches, or only the friends its private card was sent to' }),
  room_limit: z.number().int().optional().meta({ description: 'What the share card counts to' }),
  shopper_token: z.string().optional().meta({ description: "The shopper's own capability: opens /pages/share/index?s={shopper_token}" }),
  closing_payments: z.array(z.string()).optional().meta({ description: 'Revoke answers only: payments whose WeChat order could not be closed yet' }),
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
  qr_url: z.string().meta({ description: "The link's mini program code image" }),
  mini_program: z.object({ user_name: z.string(), path: z.string(), webpage_url: z.string(), type: z.union([z.literal(0), z.literal(1), z.literal(2)]) })
    .meta({ description: "What a native shop app hands WeChat's OpenSDK to share the link as a mini program card (WXMiniProgramObject)" }),
});

/** `GET /v1/links/{id}`: with its share material again while it can be paid. */
export const shopLinkSchema = z.union([issuedLinkSchema, linkResponseSchema]);

/** `GET /v1/links/{id}/url-link`. */
export const urlLinkSchema = z.object({ url_link: z.string().meta({ description: 'Opens the pay page from outside WeChat' }), expires_at: time('The URL Link stops working') });

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
  refunds: z.array(z.object({ id: z.string(), amount: fen('Refunded'), status: z.enum(refundStatuses), created_at: time('Created'), succeeded_at: nullableTime('WeChat Pay confirmed the refund') }))
    .meta({ description: 'Every refund of this payment, oldest first' }),
});

const subscribeTemplates = z.object({ friend_paid: z.string().optional(), link_expiring: z.string().optional(), refund: z.string().optional() });

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
    qr_url: z.string().meta({ description: "The link's mini program code image ({url}/qr.png)" }),
    audience: z.enum(['group', 'private']).optional(),
    private_proof: z.boolean().optional().meta({ description: 'Private links, with a session: whether this friend proved they received the card' }),
  }),
  shop: z.object({ name: z.string() }),
  order: z.object({
    amount_total: fen('The order total'),
    amount_paid: fen('Paid'),
    amount_refunded: fen('What went back to the friends'),
    amount_due: fen('Still to pay'),
    amount_reserved: fen('Being paid right now'),
    currency: z.literal('CNY'),
    items: z.array(orderItem),
    shop_order_id: z.string(),
  }),
  contributions: z.array(z.object({
    payer: z.string().meta({ description: "Masked name, in full for the viewer's own" }),
    amount: fen('Paid'),
    paid_at: time('Paid'),
    refunded_amount: fen('What went back to this friend').optional(),
  })),
  my_payments: z.array(paymentViewSchema),
  server_time: time("The server's clock"),
  subscribe_templates: subscribeTemplates.optional(),
});

/** `GET /v1/share/{shopper_token}`: the shopper's view of their link. */
export const shopperViewSchema = friendViewSchema.extend({
  link: friendViewSchema.shape.link.extend({
    id: z.string(),
    audience: z.enum(['group', 'private']),
    room_limit: z.number().int(),
    token: z.string(),
    code: z.string(),
    share: shareCard,
  }),
  refunds: z.array(z.object({ payer: z.string(), amount: fen('Refunded'), status: z.enum(refundStatuses), created_at: time('Created') })),
  card: z.object({
    activity_id: z.string(),
    audience: z.enum(['group', 'private']),
    expires_at: time('The card stops updating'),
    state: z.union([z.literal(0), z.literal(1)]),
    member_count: z.number().int(),
    room_limit: z.number().int(),
    pending_updates: z.number().int(),
  }).nullable().meta({ description: 'The newest share card, or null before the link was first shared' }),
  shopper: z.object({ bound: z.boolean(), you: z.boolean().optional() }),
  subscribe_templates: subscribeTemplates,
});

/** `POST /v1/share/{shopper_token}/session` answer. */
export const shopperSessionSchema = z.object({ bound: z.literal(true), bound_at: time('Bound') });

/** `POST /v1/share/{shopper_token}/activity` answer: what wx.updateShareMenu needs. */
export const activityResponseSchema = z.object({
  activity_id: z.string(),
  expires_at: time('The card stops updating'),
  audience: z.enum(['group', 'private']),
  template_info: z.object({ parameter_list: z.array(z.object({ name: z.enum(['member_count', 'room_limit']), value: z.string() })) }),
});

/** `POST /v1/subscriptions` answer. */
export const subscriptionsResponseSchema = z.object({
  subscriptions: z.array(z.object({ id: z.string(), template_id: z.string(), kind: z.enum(['friend_paid', 'link_expiring', 'refund']) })),
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
  type: z.enum(['link.paid', 'link.expired', 'link.revoked', 'payment.refunded', 'order.refunded', 'refund.abnormal']),
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
    reason: z.string().meta({ description: 'The shop\'s reason when it gave one, else `kind`' }),
    kind: z.enum(refundKinds),
    refunded_at: time('WeChat Pay confirmed it'),
  }),
});

/** `order.refunded`: everything the order counted as paid went back to the friends who paid it. */
export const orderRefundedEventSchema = z.object({
  ...envelope,
  type: z.literal('order.refunded'),
  data: z.object({
    order_id: z.string(),
    shop_order_id: z.string(),
    status: z.enum(orderStatuses),
    amount_paid: fen('Paid'),
    amount_refunded: fen('Refunded'),
    refunded_at: time('The last refund was confirmed'),
    refunds: z.array(z.object({ refund_id: z.string(), payment_id: z.string(), payer: z.string(), amount: fen('Refunded') })),
  }),
});

/** `refund.abnormal`: a refund did not reach the payer (abnormal) or WeChat closed it (closed); the shop handles it. */
export const refundAbnormalEventSchema = z.object({
  ...envelope,
  type: z.literal('refund.abnormal'),
  data: z.object({
    refund_id: z.string(),
    payment_id: z.string(),
    order_id: z.string(),
    link_id: z.string(),
    payer: z.string(),
    amount: fen('Not refunded'),
    reason: z.string(),
    kind: z.enum(refundKinds),
    status: z.enum(['abnormal', 'closed']),
    at: time('WeChat Pay settled it'),
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
  Same<
    | z.output<typeof linkPaidEventSchema>
    | z.output<typeof linkExpiredEventSchema>
    | z.output<typeof linkRevokedEventSchema>
    | z.output<typeof paymentRefundedEventSchema>
    | z.output<typeof orderRefundedEventSchema>
    | z.output<typeof refundAbnormalEventSchema>,
    WebhookDelivery
  >,
  Same<z.output<typeof demoResponseSchema>, DemoResponse>,
  Same<z.output<typeof sandboxWebhooksSchema>['webhooks'][number], SandboxWebhook>,
  Same<z.output<typeof shopLinkSchema>, ShopLinkResponse>,
  Same<z.output<typeof urlLinkSchema>, UrlLinkResponse>,
  Same<z.output<typeof createRefundResponseSchema>, CreateRefundResponse>,
  Same<z.output<typeof shopperViewSchema>, ShopperView>,
  Same<z.output<typeof shopperSessionSchema>, ShopperSessionResponse>,
  Same<z.output<typeof activityResponseSchema>, ActivityResponse>,
  Same<z.output<typeof subscriptionsResponseSchema>, SubscriptionsResponse>,
] = [true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true];
