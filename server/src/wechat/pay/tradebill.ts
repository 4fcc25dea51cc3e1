/**
 * `GET /v3/bill/tradebill`, then the file at the `download_url` it names: one day's trade bill.
 * The first answer is signed and carries the file's SHA1; the file itself is not signed, so it
 * is trusted only once its bytes hash to that value.
 */
import crypto from 'node:crypto';
import { z } from 'zod';
import { parseTradeBill, type TradeBill } from '../bill/trade-bill';
import { BILL_DATE_PATTERN, BILL_HASH_TYPE_SHA1, BILL_MAX_BYTES, PATH_TRADE_BILL, type BillType } from '../consts';
import { WechatPayError } from '../errors';
import { malformedAnswer, parseJsonOr, type SignedCaller } from '../v3/signed-call';

/** Which bill to get. */
export interface TradeBillRequest {
  /** `YYYY-MM-DD`, a day in China Standard Time. */
  billDate: string;
  /** @default 'ALL' */
  billType?: BillType;
  /** Partner mode: one sub-merchant's bill; without it, the bill of every sub-merchant. */
  subMchId?: string | undefined;
}

/** A downloaded, hash-checked, parsed bill. */
export interface DownloadedTradeBill {
  bill: TradeBill;
  /** The SHA1 (hex) the bill answer gave and the file matched. */
  sha1: string;
  /** Size of the file. */
  bytes: number;
}

const billAnswer = z.object({ hash_type: z.string(), hash_value: z.string().min(1), download_url: z.string().min(1) });

/** Requests, downloads, hash-checks and parses a trade bill. Retried: nothing changes at WeChat. */
export async function downloadTradeBill(caller: SignedCaller, request: TradeBillRequest): Promise<DownloadedTradeBill> {
  if (!BILL_DATE_PATTERN.test(request.billDate)) throw new TypeError('billDate must be YYYY-MM-DD');
  const query: Record<string, string> = { bill_date: request.billDate, ...(request.subMchId === undefined ? {} : { sub_mchid: request.subMchId }), bill_type: request.billType ?? 'ALL' };
  const { text } = await caller.call({ method: 'GET', path: PATH_TRADE_BILL, query, safeToRepeat: true });
  const parsed = billAnswer.safeParse(parseJsonOr(text));
  if (!parsed.success) throw malformedAnswer('trade bill');
  if (parsed.data.hash_type !== BILL_HASH_TYPE_SHA1) throw new WechatPayError('RESPONSE_MALFORMED', `the trade bill's hash is ${parsed.data.hash_type}, not ${BILL_HASH_TYPE_SHA1}`);
  let url: URL;
  try {
    url = new URL(parsed.data.download_url);
  } catch {
    throw new WechatPayError('RESPONSE_MALFORMED', "the trade bill's download_url is not a URL");
  }

  const file = await caller.call({ method: 'GET', path: url.pathname, url, unsignedAnswer: true, maxResponseBytes: BILL_MAX_BYTES, safeToRepeat: true });
  const bytes = file.bytes ?? Buffer.from(file.text, 'utf8');
  const sha1 = crypto.createHash('sha1').update(bytes).digest('hex');
  if (sha1 !== parsed.data.hash_value.toLowerCase()) {
    throw new WechatPayError('BILL_HASH_MISMATCH', `the downloaded bill of ${request.billDate} does not hash to the SHA1 WeChat Pay gave`);
  }
  return { bill: parseTradeBill(bytes.toString('utf8')), sha1, bytes: bytes.length };
}
