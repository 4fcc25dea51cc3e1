// Request bodies the simulator accepts, validated the way WeChat Pay validates them: the
// first broken field becomes a 400 PARAM_ERROR naming it in `detail`.
import { z } from 'zod';
import {
  CURRENCY_CNY,
  DESCRIPTION_MAX_LENGTH,
  OUT_REFUND_NO_PATTERN,
  OUT_TRADE_NO_PATTERN,
  RFC3339_PATTERN,
} from '../../../wechat/consts';

const notifyUrl = z
  .string()
  .max(256)
  .refine((value) => {
    try {
      const url = new URL(value);
      // WeChat requires a fixed address: no query string. (It also requires https; the sandbox allows http on this machine.)
      return (url.protocol === 'https:' || url.protocol === 'http:') && url.search === '';
    } catch {
      return false;
    }
  }, 'must be an absolute http(s) URL without query parameters');

const currency = z.literal(CURRENCY_CNY).optional();

/** `POST /v3/pay/transactions/jsapi`. */
export const prepayBodySchema = z.object({
  appid: z.string().min(1).max(32),
  mchid: z.string().min(1).max(32),
  description: z.string().min(1).refine((value) => [...value].length <= DESCRIPTION_MAX_LENGTH, `must be at most ${DESCRIPTION_MAX_LENGTH} characters`),
  out_trade_no: z.string().regex(OUT_TRADE_NO_PATTERN, 'must be 6-32 characters of [0-9A-Za-z_-|*]'),
  time_expire: z.string().regex(RFC3339_PATTERN, 'must be RFC 3339 with an offset, e.g. 2018-06-08T10:34:56+08:00').optional(),
  attach: z.string().max(128).optional(),
  notify_url: notifyUrl,
  goods_tag: z.string().max(32).optional(),
  support_fapiao: z.boolean().optional(),
  amount: z.object({ total: z.number().int().min(1), currency }),
  payer: z.object({ openid: z.string().min(1).max(128) }),
  detail: z.unknown().optional(),
  scene_info: z.unknown().optional(),
  settle_info: z.unknown().optional(),
});
export type PrepayBody = z.infer<typeof prepayBodySchema>;

/** `POST .../close`. */
export const closeBodySchema = z.object({ mchid: z.string().min(1).max(32) });

const subMchid = z.string().regex(/^\d{6,32}$/, 'must be a merchant id (digits)');

/** `POST /v3/pay/partner/transactions/jsapi`: the order of a sub-merchant, placed by its service provider. */
export const partnerPrepayBodySchema = prepayBodySchema
  .omit({ appid: true, mchid: true, payer: true })
  .extend({
    sp_appid: z.string().min(1).max(32),
    sp_mchid: z.string().min(1).max(32),
    sub_appid: z.string().min(1).max(32).optional(),
    sub_mchid: subMchid,
    payer: z.object({ sp_openid: z.string().min(1).max(128).optional(), sub_openid: z.string().min(1).max(128).optional() }),
  })
  .refine((body) => body.payer.sp_openid !== undefined || body.payer.sub_openid !== undefined, { message: 'sp_openid or sub_openid is required', path: ['payer', 'sp_openid'] })
  .refine((body) => body.payer.sub_openid === undefined || body.sub_appid !== undefined, { message: 'sub_appid is required with sub_openid', path: ['sub_appid'] });
export type PartnerPrepayBody = z.infer<typeof partnerPrepayBodySchema>;

/** `POST /v3/pay/partner/transactions/out-trade-no/{no}/close`. */
export const partnerCloseBodySchema = z.object({ sp_mchid: z.string().min(1).max(32), sub_mchid: subMchid });

/** `POST /v3/refund/domestic/refunds`. */
export const refundBodySchema = z
  .object({
    /** Partner mode: whose order it is. */
    sub_mchid: subMchid.optional(),
    transaction_id: z.string().min(1).max(32).optional(),
    out_trade_no: z.string().regex(OUT_TRADE_NO_PATTERN, 'must be 6-32 characters of [0-9A-Za-z_-|*]').optional(),
    out_refund_no: z.string().regex(OUT_REFUND_NO_PATTERN, 'must be 1-64 characters of [0-9A-Za-z_-|*@]'),
    reason: z.string().max(80).optional(),
    notify_url: notifyUrl.optional(),
    funds_account: z.string().optional(),
    amount: z.object({
      refund: z.number().int().min(1),
      total: z.number().int().min(1),
      currency: z.literal(CURRENCY_CNY),
      from: z.unknown().optional(),
    }),
    goods_detail: z.unknown().optional(),
  })
  .refine((body) => body.transaction_id !== undefined || body.out_trade_no !== undefined, {
    message: 'transaction_id or out_trade_no is required',
    path: ['out_trade_no'],
  });
export type RefundBody = z.infer<typeof refundBodySchema>;

/** WeChat's `detail` of a PARAM_ERROR. */
export interface ParamErrorDetail {
  field: string;
  value?: unknown;
  issue: string;
  location: 'body' | 'query' | 'path';
}

/** Validates `value`; on failure returns the detail of the first issue, as WeChat reports one field. */
export function validate<T>(schema: z.ZodType<T>, value: unknown): { ok: true; value: T } | { ok: false; detail: ParamErrorDetail } {
  const parsed = schema.safeParse(value);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issue = parsed.error.issues[0];
  const field = `/${(issue?.path ?? []).map(String).join('/')}`;
  const missing = issue?.code === 'invalid_type' && valueAt(value, issue.path) === undefined;
  return { ok: false, detail: { field, issue: missing ? 'is required' : (issue?.message ?? 'is invalid'), location: 'body' } };
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let current = value;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}
