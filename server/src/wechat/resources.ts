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

/** A WeChat Pay transaction (query answer or payment notification). */
export interface Transaction {
  appId: string;
  mchId: string;
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

/** Parses a transaction as WeChat sends it; undefined when it does not have WeChat's shape. */
export function parseTransaction(value: unknown): Transaction | undefined {
  const parsed = wireTransaction.safeParse(value);
  if (!parsed.success) return undefined;
  const t = parsed.data;
  return {
    appId: t.appid,
    mchId: t.mchid,
    outTradeNo: t.out_trade_no,
    transactionId: t.transaction_id || undefined,
    tradeState: t.trade_state,
    tradeStateDesc: t.trade_state_desc,
    tradeType: t.trade_type || undefined,
    bankType: t.bank_type || undefined,
    attach: t.attach,
    successTime: t.success_time || undefined,
    payerOpenid: t.payer?.openid || undefined,
    amountTotal: t.amount?.total,
    payerTotal: t.amount?.payer_total,
    currency: t.amount?.currency,
  };
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
  mchid: z.string(),
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
  /** Only in notifications. */
  mchId: string | undefined;
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
  extra: { status: RefundStatus; mchId: string | undefined; createTime: string | undefined },
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
  return refundFrom(parsed.data, { status: parsed.data.refund_status, mchId: parsed.data.mchid, createTime: undefined });
}
