// Wire shapes of WeChat Pay transactions and refunds (snake_case, as WeChat sends them) and the
// camelCase views the rest of the server uses. Responses and decrypted notifications both pass
// through these parsers, so a field WeChat renamed fails loudly here and nowhere else.
import { z } from 'zod';
import { REFUND_STATUSES, TRADE_STATES, type RefundStatus, type TradeState } from './consts';

const wireTransaction = z.object({
  appid: z.string(),
  mchid: z.string(),
  out_trade_no: z.string(),
  transaction_id: z.string().optional(),
  trade_type: z.string().optional(),
  trade_state: z.enum(TRADE_STATES),
  trade_state_desc: z.string().optional(),
  bank_type: z.string().optional(),
  attach: z.string().optional(),
  success_time: z.string().optional(),
  payer: z.object({ openid: z.string().optional() }).optional(),
  amount: z
    .object({
      total: z.number().int().optional(),
      payer_total: z.number().int().optional(),
      currency: z.string().optional(),
      payer_currency: z.string().optional(),
    })
    .optional(),
});

/** The same transaction as a service provider sees it (partner mode): `sp_*` and `sub_*` ids. */
const wirePartnerTransaction = wireTransaction.omit({ appid: true, mchid: true, payer: true }).extend({
  sp_appid: z.string(),
  sp_mchid: z.string(),
  sub_appid: z.string().optional(),
  sub_mchid: z.string(),
  payer: z.object({ sp_openid: z.string().optional(), sub_openid: z.string().optional() }).optional(),
});

/** A WeChat Pay transaction (query answer or payment notification). */
export interface Transaction {
  /** `appid`, or in partner mode `sp_appid`. */
  appId: string;
  /** `mchid`, or in partner mode `sp_mchid` (the service provider). */
  mchId: string;
  /** Partner mode: the sub-merchant the money went to; undefined for a direct merchant. */
  subMchId?: string | undefined;
  /** Partner mode: the sub-merchant's app, when the order named one. */
  subAppId?: string | undefined;
  outTradeNo: string;
  transactionId: string | undefined;
  tradeState: TradeState;
  tradeStateDesc: string | undefined;
  tradeType: string | undefined;
  bankType: string | undefined;
  attach: string | undefined;
  /** RFC 3339, as WeChat wrote it. */
  successTime: string | undefined;
  payerOpenid: string | undefined;
  /** Fen. */
  amountTotal: number | undefined;
  /** Fen actually paid by the payer (after coupons). */
  payerTotal: number | undefined;
  currency: string | undefined;
}

/** The fields a direct merchant's and a service provider's transaction share, read the same way. */
function sharedFields(t: z.infer<typeof wirePartnerTransaction> | z.infer<typeof wireTransaction>): Omit<Transaction, 'appId' | 'mchId' | 'subMchId' | 'subAppId' | 'payerOpenid'> {
  return {
    outTradeNo: t.out_trade_no,
    transactionId: t.transaction_id || undefined,
    tradeState: t.trade_state,
    tradeStateDesc: t.trade_state_desc,
    tradeType: t.trade_type || undefined,
    bankType: t.bank_type || undefined,
    attach: t.attach,
    successTime: t.success_time || undefined,
    amountTotal: t.amount?.total,
    payerTotal: t.amount?.payer_total,
    currency: t.amount?.currency,
  };
}

/** Parses a transaction as WeChat sends it (direct or partner shape); undefined when it has neither. */
export function parseTransaction(value: unknown): Transaction | undefined {
  const parsed = wireTransaction.safeParse(value);
  if (!parsed.success) return parsePartnerTransaction(value);
  const t = parsed.data;
  return Object.assign(sharedFields(t), { appId: t.appid, mchId: t.mchid, payerOpenid: t.payer?.openid || undefined });
}

function parsePartnerTransaction(value: unknown): Transaction | undefined {
  const parsed = wirePartnerTransaction.safeParse(value);
  if (!parsed.success) return undefined;
  const t = parsed.data;
  return Object.assign(sharedFields(t), {
    appId: t.sp_appid,
    mchId: t.sp_mchid,
    subMchId: t.sub_mchid,
    subAppId: t.sub_appid || undefined,
    // The openid the order named: the sub-merchant app's when it named one, else the provider's.
    payerOpenid: (t.sub_appid ? t.payer?.sub_openid : t.payer?.sp_openid) || t.payer?.sp_openid || undefined,
  });
}

const wireRefundAmount = z.object({
  total: z.number().int(),
  refund: z.number().int(),
  payer_total: z.number().int().optional(),
  payer_refund: z.number().int().optional(),
  currency: z.string().optional(),
});

const wireRefund = z.object({
  refund_id: z.string(),
  out_refund_no: z.string(),
  transaction_id: z.string(),
  out_trade_no: z.string(),
  status: z.enum(REFUND_STATUSES),
  channel: z.string().optional(),
  user_received_account: z.string().optional(),
  success_time: z.string().optional(),
  create_time: z.string().optional(),
  amount: wireRefundAmount,
});

const wireRefundNotification = z.object({
  /** Direct merchants get `mchid`; service providers `sp_mchid` and `sub_mchid`. */
  mchid: z.string().optional(),
  sp_mchid: z.string().optional(),
  sub_mchid: z.string().optional(),
  refund_id: z.string(),
  out_refund_no: z.string(),
  transaction_id: z.string(),
  out_trade_no: z.string(),
  refund_status: z.enum(REFUND_STATUSES),
  user_received_account: z.string().optional(),
  success_time: z.string().optional(),
  amount: wireRefundAmount,
});

/** A WeChat Pay refund (refund/query answer or refund notification). */
export interface Refund {
  refundId: string;
  outRefundNo: string;
  transactionId: string;
  outTradeNo: string;
  status: RefundStatus;
  /** Only in notifications: `mchid`, or in partner mode `sp_mchid`. */
  mchId: string | undefined;
  /** Only in partner-mode notifications: the sub-merchant whose order was refunded. */
  subMchId?: string | undefined;
  userReceivedAccount: string | undefined;
  successTime: string | undefined;
  createTime: string | undefined;
  /** Fen. */
  amountTotal: number;
  /** Fen. */
  amountRefund: number;
  payerTotal: number | undefined;
  payerRefund: number | undefined;
}

type WireRefundAmount = z.infer<typeof wireRefundAmount>;

function refundFrom(
  r: { refund_id: string; out_refund_no: string; transaction_id: string; out_trade_no: string; user_received_account?: string | undefined; success_time?: string | undefined; amount: WireRefundAmount },
  extra: { status: RefundStatus; mchId: string | undefined; subMchId?: string | undefined; createTime: string | undefined },
): Refund {
  return {
    refundId: r.refund_id,
    outRefundNo: r.out_refund_no,
    transactionId: r.transaction_id,
    outTradeNo: r.out_trade_no,
    ...extra,
    userReceivedAccount: r.user_received_account,
    successTime: r.success_time || undefined,
    amountTotal: r.amount.total,
    amountRefund: r.amount.refund,
    payerTotal: r.amount.payer_total,
    payerRefund: r.amount.payer_refund,
  };
}

/** Parses a refund as the refund APIs answer it. */
export function parseRefund(value: unknown): Refund | undefined {
  const parsed = wireRefund.safeParse(value);
  if (!parsed.success) return undefined;
  return refundFrom(parsed.data, { status: parsed.data.status, mchId: undefined, createTime: parsed.data.create_time });
}

/** Parses the decrypted resource of a refund notification (`refund_status`, `mchid`). */
export function parseRefundNotificationResource(value: unknown): Refund | undefined {
  const parsed = wireRefundNotification.safeParse(value);
  if (!parsed.success) return undefined;
  const { mchid, sp_mchid: spMchId, sub_mchid: subMchId } = parsed.data;
  const mchId = mchid ?? spMchId;
  if (mchId === undefined) return undefined;
  return refundFrom(parsed.data, { status: parsed.data.refund_status, mchId, ...(subMchId === undefined ? {} : { subMchId }), createTime: undefined });
}
