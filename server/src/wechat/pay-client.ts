import { setTimeout as sleep } from 'node:timers/promises';
import { systemClock, unixSeconds, type Clock } from '../clock';
import { loadApiV3Key, type ApiV3KeyInput } from './aead';
import { buildAuthorization } from './authorization';
import {
  CURRENCY_CNY,
  HEADER_AUTHORIZATION,
  HEADER_REQUEST_ID,
  HEADER_WECHATPAY_SIGNATURE,
  PATH_CLOSE,
  PATH_JSAPI_PREPAY,
  PATH_QUERY_BY_OUT_TRADE_NO,
  PATH_REFUND_BY_OUT_REFUND_NO,
  PATH_REFUNDS,
  fillPath,
} from './consts';
import { WechatPayError, isWechatPayServerCode, type WechatPayErrorDetail } from './errors';
import { createHttpTransport, TransportError, type HttpTransport, type TransportResponse } from './http-transport';
import { createNotificationParser, type IncomingNotification, type WechatPayNotification } from './notification';
import { buildRequestPaymentParams, type RequestPaymentParams } from './pay-sign';
import { randomNonce, type NonceSource } from './random';
import { parseRefund, parseTransaction, type Refund, type Transaction } from './resources';
import { createRsaSigner, type PrivateKeyInput } from './signer';
import { formatWechatTime } from './time';
import { createPublicKeyVerifier, readHeader, verifySignedBody, type PublicKeyInput } from './verifier';

/** Everything the WeChat Pay client needs; plain values, read from configuration by the caller. */
export interface WechatPayClientOptions {
  /** e.g. `https://api.mch.weixin.qq.com` or `<server>/sandbox/wechatpay-api`. */
  baseUrl: string;
  mchId: string;
  appId: string;
  /** Serial of the merchant API certificate (`serial_no` in Authorization). */
  merchantSerial: string;
  merchantPrivateKey: PrivateKeyInput;
  apiV3Key: ApiV3KeyInput;
  /** WeChat Pay public key (public-key mode) and its `PUB_KEY_ID_...` id. */
  platformPublicKey: PublicKeyInput;
  platformPublicKeyId: string;
  /** Further verification keys by serial, e.g. during a key rotation. */
  extraPlatformPublicKeys?: Readonly<Record<string, PublicKeyInput>>;
  /** @default systemClock */
  clock?: Clock;
  /** Per attempt, covering connect, headers and body. @default 10000 */
  timeoutMs?: number;
  /** Extra attempts for calls that are safe to repeat. @default 2 */
  maxRetries?: number;
  /** First pause between attempts; doubles each time. @default 300 */
  retryDelayMs?: number;
  /** @default 32 random alphanumerics */
  nonce?: NonceSource;
  /** @default node:http(s) with keep-alive connections of this client's own */
  transport?: HttpTransport;
}

/** A JSAPI (mini program) order to place. */
export interface PrepayInput {
  /** 6-32 of `[0-9A-Za-z_-|*]`, unique per merchant. */
  outTradeNo: string;
  /** Up to 127 characters, shown to the payer. */
  description: string;
  /** Fen. */
  amountTotal: number;
  payerOpenid: string;
  notifyUrl: string;
  /** Epoch ms after which the order can no longer be paid; sent as RFC 3339 +08:00. */
  timeExpire?: number;
  attach?: string;
}

/** A refund to request. */
export interface RefundInput {
  outTradeNo: string;
  /** 1-64 of `[0-9A-Za-z_-|*@]`; the same number repeated returns the same refund. */
  outRefundNo: string;
  /** Fen to give back. */
  amountRefund: number;
  /** Fen of the original order. */
  amountTotal: number;
  reason?: string;
  notifyUrl?: string;
}

/** The WeChat Pay API v3 calls Friend Pay makes. */
export interface WechatPayClient {
  readonly appId: string;
  readonly mchId: string;
  /** `POST /v3/pay/transactions/jsapi`. Retried: WeChat answers identical parameters with a valid prepay_id. */
  prepay(input: PrepayInput): Promise<{ prepayId: string }>;
  /** `GET /v3/pay/transactions/out-trade-no/{no}?mchid=`. Retried. */
  queryByOutTradeNo(outTradeNo: string): Promise<Transaction>;
  /** `POST .../close` (204). Retried: closing a closed order succeeds again. ORDERPAID when it was paid. */
  close(outTradeNo: string): Promise<void>;
  /** `POST /v3/refund/domestic/refunds`. Not retried here: money moves; repeat with the same outRefundNo instead. */
  refund(input: RefundInput): Promise<Refund>;
  /** `GET /v3/refund/domestic/refunds/{out_refund_no}`. Retried. */
  queryRefund(outRefundNo: string): Promise<Refund>;
  /** Signed `wx.requestPayment` parameters for a prepay id. */
  requestPaymentParams(prepayId: string): RequestPaymentParams;
  /** Verifies and decrypts a notification sent to our notify_url. */
  parseNotification(input: IncomingNotification): WechatPayNotification;
}

interface CallSpec {
  method: 'GET' | 'POST';
  path: string;
  query?: Record<string, string>;
  body?: unknown;
  /** Only calls whose repetition WeChat de-duplicates may be retried. */
  safeToRepeat: boolean;
}

const wechatErrorBody = (value: unknown): { code?: string; message?: string; detail?: WechatPayErrorDetail } => {
  if (typeof value !== 'object' || value === null) return {};
  const { code, message, detail } = value as Record<string, unknown>;
  const out: { code?: string; message?: string; detail?: WechatPayErrorDetail } = {};
  if (typeof code === 'string') out.code = code;
  if (typeof message === 'string') out.message = message;
  if (typeof detail === 'object' && detail !== null) {
    const { field, issue, location } = detail as Record<string, unknown>;
    // `detail.value` may echo request data; only the field's name and the issue are kept.
    out.detail = {
      ...(typeof field === 'string' ? { field } : {}),
      ...(typeof issue === 'string' ? { issue } : {}),
      ...(typeof location === 'string' ? { location } : {}),
    };
  }
  return out;
};

function parseJsonOr(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Creates the WeChat Pay API v3 client; keys are loaded once and never appear in errors. */
export function createWechatPayClient(options: WechatPayClientOptions): WechatPayClient {
  const clock = options.clock ?? systemClock;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxRetries = options.maxRetries ?? 2;
  const retryDelayMs = options.retryDelayMs ?? 300;
  const nonce = options.nonce ?? randomNonce;
  const transport = options.transport ?? createHttpTransport();
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const signer = createRsaSigner(options.merchantPrivateKey);
  const verifier = createPublicKeyVerifier({ ...options.extraPlatformPublicKeys, [options.platformPublicKeyId]: options.platformPublicKey });
  const apiV3Key = loadApiV3Key(options.apiV3Key);
  const notifications = createNotificationParser({ verifier, apiV3Key, clock });
  const merchant = { mchid: options.mchId, serialNo: options.merchantSerial, signer };

  async function attempt(spec: CallSpec): Promise<{ status: number; text: string }> {
    const url = new URL(`${baseUrl}${spec.path}`);
    for (const [name, value] of Object.entries(spec.query ?? {})) url.searchParams.set(name, value);
    const body = spec.body === undefined ? '' : JSON.stringify(spec.body);
    const authorization = buildAuthorization(
      { method: spec.method, url: `${url.pathname}${url.search}`, body, timestamp: String(unixSeconds(clock)), nonce: nonce() },
      merchant,
    );
    const headers: Record<string, string> = { [HEADER_AUTHORIZATION]: authorization, Accept: 'application/json', 'User-Agent': 'friend-pay/0.1' };
    if (spec.body !== undefined) headers['Content-Type'] = 'application/json';

    let response: TransportResponse;
    try {
      response = await transport.send({ method: spec.method, url, headers, ...(spec.body === undefined ? {} : { body }), timeoutMs });
    } catch (error: unknown) {
      if (error instanceof TransportError && error.kind === 'timeout') {
        throw new WechatPayError('TIMEOUT', `WeChat Pay did not answer ${spec.method} ${spec.path} within ${timeoutMs} ms`);
      }
      throw new WechatPayError('NETWORK_ERROR', `WeChat Pay could not be reached for ${spec.method} ${spec.path}`);
    }
    const { text } = response;
    const requestId = readHeader(response.headers, HEADER_REQUEST_ID);
    const context = { status: response.status, ...(requestId === undefined ? {} : { requestId }) };

    // Gateways in front of WeChat Pay answer overload without signing; such an answer can
    // only make us try again later, never change what we believe about an order.
    if ((response.status >= 500 || response.status === 429) && readHeader(response.headers, HEADER_WECHATPAY_SIGNATURE) === undefined) {
      const code = response.status === 429 ? 'FREQUENCY_LIMITED' : 'SYSTEM_ERROR';
      throw new WechatPayError(code, `WeChat Pay answered ${response.status} without a signature`, context);
    }
    try {
      verifySignedBody({ headers: response.headers, body: text, verifier, clock });
    } catch (error: unknown) {
      if (error instanceof WechatPayError) throw new WechatPayError(error.code, `response to ${spec.method} ${spec.path}: ${error.message}`, context);
      throw error;
    }
    if (response.status < 200 || response.status > 299) {
      const wechat = wechatErrorBody(parseJsonOr(text));
      const wechatCode = wechat.code ?? '';
      const code = isWechatPayServerCode(wechatCode) ? wechatCode : response.status >= 500 ? 'SYSTEM_ERROR' : 'UNKNOWN_ERROR';
      throw new WechatPayError(code, `WeChat Pay ${wechatCode || response.status}: ${wechat.message ?? 'no message'}`, {
        ...context,
        ...(isWechatPayServerCode(wechatCode) ? {} : { wechatCode }),
        ...(wechat.detail === undefined ? {} : { detail: wechat.detail }),
      });
    }
    return { status: response.status, text };
  }

  async function call(spec: CallSpec): Promise<{ status: number; text: string }> {
    const attempts = spec.safeToRepeat ? maxRetries + 1 : 1;
    for (let index = 1; ; index += 1) {
      try {
        return await attempt(spec);
      } catch (error: unknown) {
        if (!(error instanceof WechatPayError) || !error.retryable || index >= attempts) throw error;
        await sleep(retryDelayMs * 2 ** (index - 1));
      }
    }
  }

  function malformed(what: string): WechatPayError {
    return new WechatPayError('RESPONSE_MALFORMED', `WeChat Pay's answer to ${what} does not have the documented shape`);
  }

  return {
    appId: options.appId,
    mchId: options.mchId,

    async prepay(input: PrepayInput): Promise<{ prepayId: string }> {
      const body = {
        appid: options.appId,
        mchid: options.mchId,
        description: input.description,
        out_trade_no: input.outTradeNo,
        ...(input.timeExpire === undefined ? {} : { time_expire: formatWechatTime(input.timeExpire) }),
        ...(input.attach === undefined ? {} : { attach: input.attach }),
        notify_url: input.notifyUrl,
        amount: { total: input.amountTotal, currency: CURRENCY_CNY },
        payer: { openid: input.payerOpenid },
      };
      const { text } = await call({ method: 'POST', path: PATH_JSAPI_PREPAY, body, safeToRepeat: true });
      const parsed = parseJsonOr(text) as { prepay_id?: unknown } | undefined;
      if (typeof parsed?.prepay_id !== 'string' || parsed.prepay_id === '') throw malformed('prepay');
      return { prepayId: parsed.prepay_id };
    },

    async queryByOutTradeNo(outTradeNo: string): Promise<Transaction> {
      const path = fillPath(PATH_QUERY_BY_OUT_TRADE_NO, { out_trade_no: outTradeNo });
      const { text } = await call({ method: 'GET', path, query: { mchid: options.mchId }, safeToRepeat: true });
      const transaction = parseTransaction(parseJsonOr(text));
      if (transaction === undefined) throw malformed('query');
      return transaction;
    },

    async close(outTradeNo: string): Promise<void> {
      const path = fillPath(PATH_CLOSE, { out_trade_no: outTradeNo });
      await call({ method: 'POST', path, body: { mchid: options.mchId }, safeToRepeat: true });
    },

    async refund(input: RefundInput): Promise<Refund> {
      const body = {
        out_trade_no: input.outTradeNo,
        out_refund_no: input.outRefundNo,
        ...(input.reason === undefined ? {} : { reason: input.reason }),
        ...(input.notifyUrl === undefined ? {} : { notify_url: input.notifyUrl }),
        amount: { refund: input.amountRefund, total: input.amountTotal, currency: CURRENCY_CNY },
      };
      const { text } = await call({ method: 'POST', path: PATH_REFUNDS, body, safeToRepeat: false });
      const refund = parseRefund(parseJsonOr(text));
      if (refund === undefined) throw malformed('refund');
      return refund;
    },

    async queryRefund(outRefundNo: string): Promise<Refund> {
      const path = fillPath(PATH_REFUND_BY_OUT_REFUND_NO, { out_refund_no: outRefundNo });
      const { text } = await call({ method: 'GET', path, safeToRepeat: true });
      const refund = parseRefund(parseJsonOr(text));
      if (refund === undefined) throw malformed('refund query');
      return refund;
    },

    requestPaymentParams(prepayId: string): RequestPaymentParams {
      return buildRequestPaymentParams({ appId: options.appId, prepayId, signer, clock, nonce });
    },

    parseNotification(input: IncomingNotification): WechatPayNotification {
      return notifications.parseNotification(input);
    },
  };
}
