/**
 * The WeChat Pay API v3 client Friend Pay uses, assembled from the signed-call core
 * (`v3/signed-call.ts`) and one module per endpoint (`pay/*.ts`). Keys are loaded here, once.
 */
import { systemClock, type Clock } from '../clock';
import type { RequestPaymentParams } from '../../../shared/api-types';
import { loadApiV3Key, type ApiV3KeyInput } from './aead';
import { createHttpTransport, type HttpTransport } from './http-transport';
import { createNotificationParser, type IncomingNotification, type WechatPayNotification } from './notification';
import { closeTransaction } from './pay/close';
import { prepayJsapi, type PrepayInput } from './pay/jsapi';
import { queryTransactionByOutTradeNo } from './pay/query';
import { queryRefund, requestRefund, type RefundInput } from './pay/refund';
import { buildRequestPaymentParams } from './pay-sign';
import { randomNonce, type NonceSource } from './random';
import type { Refund, Transaction } from './resources';
import { createRsaSigner, type PrivateKeyInput } from './signer';
import { createSignedCaller } from './v3/signed-call';
import { createPublicKeyVerifier, type PublicKeyInput } from './verifier';

export type { PrepayInput } from './pay/jsapi';
export type { RefundInput } from './pay/refund';

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
  /** Per attempt, covering connect, headers and body. @default 3000 */
  timeoutMs?: number;
  /**
   * A whole call, retries and pauses included: a friend waits on the prepay, and a lease waits on
   * the friend. @default the larger of 5000 and `timeoutMs`
   */
  budgetMs?: number;
  /** Extra attempts for calls that are safe to repeat. @default 2 */
  maxRetries?: number;
  /** First pause between attempts; doubles each time. @default 300 */
  retryDelayMs?: number;
  /** @default 32 random alphanumerics */
  nonce?: NonceSource;
  /** @default node:http(s) with keep-alive connections of this client's own */
  transport?: HttpTransport;
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

/** An attempt's timeout: WeChat Pay answers in well under a second when it answers at all. */
const DEFAULT_TIMEOUT_MS = 3000;
/** A call's whole time, a few seconds: what a friend can be kept waiting on a prepay. */
const DEFAULT_BUDGET_MS = 5000;

/** Creates the WeChat Pay API v3 client; keys are loaded once and never appear in errors. */
export function createWechatPayClient(options: WechatPayClientOptions): WechatPayClient {
  const clock = options.clock ?? systemClock;
  const nonce = options.nonce ?? randomNonce;
  const signer = createRsaSigner(options.merchantPrivateKey);
  const verifier = createPublicKeyVerifier({ ...options.extraPlatformPublicKeys, [options.platformPublicKeyId]: options.platformPublicKey });
  const apiV3Key = loadApiV3Key(options.apiV3Key);
  const notifications = createNotificationParser({ verifier, apiV3Key, clock });
  const caller = createSignedCaller({
    baseUrl: options.baseUrl,
    mchId: options.mchId,
    merchantSerial: options.merchantSerial,
    signer,
    verifier,
    clock,
    nonce,
    transport: options.transport ?? createHttpTransport(),
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    budgetMs: options.budgetMs ?? Math.max(DEFAULT_BUDGET_MS, options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
    maxRetries: options.maxRetries ?? 2,
    retryDelayMs: options.retryDelayMs ?? 300,
  });
  const merchant = { appId: options.appId, mchId: options.mchId };

  return {
    appId: options.appId,
    mchId: options.mchId,
    prepay: (input) => prepayJsapi(caller, merchant, input),
    queryByOutTradeNo: (outTradeNo) => queryTransactionByOutTradeNo(caller, options.mchId, outTradeNo),
    close: (outTradeNo) => closeTransaction(caller, options.mchId, outTradeNo),
    refund: (input) => requestRefund(caller, input),
    queryRefund: (outRefundNo) => queryRefund(caller, outRefundNo),
    requestPaymentParams: (prepayId) => buildRequestPaymentParams({ appId: options.appId, prepayId, signer, clock, nonce }),
    parseNotification: (input) => notifications.parseNotification(input),
  };
}
