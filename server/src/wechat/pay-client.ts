/**
 * The WeChat Pay API v3 client Friend Pay uses, assembled from the signed-call core
 * (`v3/signed-call.ts`) and one module per endpoint (`pay/*.ts`). Keys are loaded here, once.
 */
import { systemClock, type Clock } from '../clock';
import type { RequestPaymentParams } from '../../../shared/api-types';
import { loadApiV3Key, type ApiV3KeyInput } from './aead';
import { createHttpTransport, type HttpTransport } from './http-transport';
import { createNotificationParser, type IncomingNotification, type WechatPayNotification } from './notification';
import type { WechatPayMode } from './consts';
import type { SubMerchant } from './merchant';
import { downloadCertificates } from './pay/certificates';
import { closePartnerTransaction, closeTransaction } from './pay/close';
import { prepayJsapi, prepayPartnerJsapi, type PrepayInput } from './pay/jsapi';
import { queryPartnerTransactionByOutTradeNo, queryTransactionByOutTradeNo } from './pay/query';
import { queryRefund, requestRefund, type RefundInput } from './pay/refund';
import { downloadTradeBill, type DownloadedTradeBill, type TradeBillRequest } from './pay/tradebill';
import { buildRequestPaymentParams } from './pay-sign';
import { randomNonce, type NonceSource } from './random';
import type { Refund, Transaction } from './resources';
import { createRsaSigner, type PrivateKeyInput } from './signer';
import { createSignedCaller } from './v3/signed-call';
import { createVerificationKeys, type CertificateInfo } from './verification-keys';
import { readSignatureHeaders, type PublicKeyInput } from './verifier';

export type { PrepayInput } from './pay/jsapi';
export type { RefundInput } from './pay/refund';
export type { SubMerchant } from './merchant';
export type { TradeBillRequest, DownloadedTradeBill } from './pay/tradebill';
export type { CertificateInfo } from './verification-keys';

/** Everything the WeChat Pay client needs; plain values, read from configuration by the caller. */
export interface WechatPayClientOptions {
  /** e.g. `https://api.mch.weixin.qq.com` or `<server>/sandbox/wechatpay-api`. */
  baseUrl: string;
  /** `partner`: a service provider collecting for sub-merchants. @default 'direct' */
  mode?: WechatPayMode;
  /** The merchant that signs the calls: a direct merchant's `mchid`, or the service provider's `sp_mchid`. */
  mchId: string;
  /** A direct merchant's `appid` (the mini program paid in), or the service provider's `sp_appid`. */
  appId: string;
  /** Serial of the merchant API certificate (`serial_no` in Authorization). */
  merchantSerial: string;
  merchantPrivateKey: PrivateKeyInput;
  apiV3Key: ApiV3KeyInput;
  /**
   * WeChat Pay public key and its `PUB_KEY_ID_...` id. Without them platform certificates alone
   * verify (downloaded with the APIv3 key); with them, certificates still verify the serials
   * that are not the key's (a merchant in WeChat's switch gets both).
   */
  platformPublicKey?: PublicKeyInput | undefined;
  platformPublicKeyId?: string | undefined;
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

/**
 * The WeChat Pay API v3 calls Friend Pay makes. In partner mode every call about an order names
 * its sub-merchant (`subMerchant`); a direct merchant's calls never do.
 */
export interface WechatPayClient {
  readonly mode: WechatPayMode;
  /** `appid`, or in partner mode `sp_appid`. */
  readonly appId: string;
  /** `mchid`, or in partner mode `sp_mchid`. */
  readonly mchId: string;
  /** `POST /v3/pay/transactions/jsapi` (partner: `/v3/pay/partner/transactions/jsapi`). Retried: WeChat answers identical parameters with a valid prepay_id. */
  prepay(input: PrepayInput, subMerchant?: SubMerchant): Promise<{ prepayId: string }>;
  /** `GET /v3/pay/transactions/out-trade-no/{no}?mchid=` (partner: `?sp_mchid=&sub_mchid=`). Retried. */
  queryByOutTradeNo(outTradeNo: string, subMerchant?: SubMerchant): Promise<Transaction>;
  /** `POST .../close` (204). Retried: closing a closed order succeeds again. ORDERPAID when it was paid. */
  close(outTradeNo: string, subMerchant?: SubMerchant): Promise<void>;
  /** `POST /v3/refund/domestic/refunds` (partner: `sub_mchid` in the body). Not retried here: money moves; repeat with the same outRefundNo instead. */
  refund(input: RefundInput, subMerchant?: SubMerchant): Promise<Refund>;
  /** `GET /v3/refund/domestic/refunds/{out_refund_no}` (partner: `?sub_mchid=`). Retried. */
  queryRefund(outRefundNo: string, subMerchant?: SubMerchant): Promise<Refund>;
  /** Signed `wx.requestPayment` parameters for a prepay id; in partner mode `appId` is the `sub_appid` when the order named one, else the `sp_appid`. */
  requestPaymentParams(prepayId: string, subMerchant?: SubMerchant): RequestPaymentParams;
  /** Verifies (downloading platform certificates if its serial is new) and decrypts a notification sent to our notify_url. */
  parseNotification(input: IncomingNotification): Promise<WechatPayNotification>;
  /** Downloads one day's trade bill and checks its hash. Retried. */
  tradeBill(request: TradeBillRequest): Promise<DownloadedTradeBill>;
  /** Downloads the platform certificates now. */
  refreshCertificates(): Promise<readonly CertificateInfo[]>;
  /** What verifies WeChat Pay right now. */
  verification(): { publicKeyId: string | undefined; usesCertificates: boolean; certificates: readonly CertificateInfo[]; lastRefreshError: string | undefined };
}

/** An attempt's timeout: WeChat Pay answers in well under a second when it answers at all. */
const DEFAULT_TIMEOUT_MS = 3000;
/** A call's whole time, a few seconds: what a friend can be kept waiting on a prepay. */
const DEFAULT_BUDGET_MS = 5000;

/** Creates the WeChat Pay API v3 client; keys are loaded once and never appear in errors. */
export function createWechatPayClient(options: WechatPayClientOptions): WechatPayClient {
  const clock = options.clock ?? systemClock;
  const nonce = options.nonce ?? randomNonce;
  const mode = options.mode ?? 'direct';
  const signer = createRsaSigner(options.merchantPrivateKey);
  const apiV3Key = loadApiV3Key(options.apiV3Key);
  if ((options.platformPublicKey === undefined) !== (options.platformPublicKeyId === undefined)) {
    throw new TypeError('the WeChat Pay public key and its id go together');
  }
  const keys = createVerificationKeys(Object.assign({}, options.platformPublicKey === undefined || options.platformPublicKeyId === undefined ? {} : { publicKey: { id: options.platformPublicKeyId, key: options.platformPublicKey } }, {
    extraPublicKeys: options.extraPlatformPublicKeys,
    clock,
    // The certificate download is itself a signed call verified by these keys; it runs only after both exist.
    download: () => downloadCertificates(signedCaller, keys, apiV3Key),
  }));
  const notifications = createNotificationParser({ verifier: keys, apiV3Key, clock });
  const signedCaller = createSignedCaller({
    baseUrl: options.baseUrl,
    mchId: options.mchId,
    merchantSerial: options.merchantSerial,
    signer,
    verifier: keys,
    clock,
    nonce,
    transport: options.transport ?? createHttpTransport(),
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    budgetMs: options.budgetMs ?? Math.max(DEFAULT_BUDGET_MS, options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
    maxRetries: options.maxRetries ?? 2,
    retryDelayMs: options.retryDelayMs ?? 300,
  });
  const merchant = { appId: options.appId, mchId: options.mchId };
  const provider = { spAppId: options.appId, spMchId: options.mchId };

  /** The sub-merchant a partner-mode call needs; a direct merchant's calls must not name one. */
  function subMerchantFor(subMerchant: SubMerchant | undefined): SubMerchant | undefined {
    if (mode === 'partner' && subMerchant === undefined) throw new TypeError('partner mode: every order call names its sub-merchant');
    if (mode === 'direct' && subMerchant !== undefined) throw new TypeError('direct mode: calls name no sub-merchant');
    return subMerchant;
  }

  return {
    mode,
    appId: options.appId,
    mchId: options.mchId,
    prepay(input, subMerchant) {
      const sub = subMerchantFor(subMerchant);
      return sub === undefined ? prepayJsapi(signedCaller, merchant, input) : prepayPartnerJsapi(signedCaller, provider, sub, input);
    },
    queryByOutTradeNo(outTradeNo, subMerchant) {
      const sub = subMerchantFor(subMerchant);
      return sub === undefined ? queryTransactionByOutTradeNo(signedCaller, options.mchId, outTradeNo) : queryPartnerTransactionByOutTradeNo(signedCaller, options.mchId, sub.subMchId, outTradeNo);
    },
    close(outTradeNo, subMerchant) {
      const sub = subMerchantFor(subMerchant);
      return sub === undefined ? closeTransaction(signedCaller, options.mchId, outTradeNo) : closePartnerTransaction(signedCaller, options.mchId, sub.subMchId, outTradeNo);
    },
    refund(input, subMerchant) {
      const sub = subMerchantFor(subMerchant);
      return requestRefund(signedCaller, sub === undefined ? input : Object.assign({}, input, { subMchId: sub.subMchId }));
    },
    queryRefund(outRefundNo, subMerchant) {
      return queryRefund(signedCaller, outRefundNo, subMerchantFor(subMerchant)?.subMchId);
    },
    requestPaymentParams(prepayId, subMerchant) {
      // The app that opens the pay sheet: the sub-merchant's when the order named it (WeChat's partner paySign rule).
      const appId = subMerchantFor(subMerchant)?.subAppId ?? options.appId;
      return buildRequestPaymentParams({ appId, prepayId, signer, clock, nonce });
    },
    async parseNotification(input) {
      const serial = readHeaderSafely(input);
      if (serial !== undefined) await keys.ensure(serial);
      return notifications.parseNotification(input);
    },
    tradeBill: (request) => downloadTradeBill(signedCaller, request),
    refreshCertificates: () => keys.refreshCertificates(),
    verification: () => ({ publicKeyId: options.platformPublicKeyId, usesCertificates: keys.usesCertificates(), certificates: keys.certificates(), lastRefreshError: keys.lastRefreshError() }),
  };
}

/** The notification's `Wechatpay-Serial`, or undefined when its signature headers are incomplete (the parser then says so). */
function readHeaderSafely(input: IncomingNotification): string | undefined {
  try {
    return readSignatureHeaders(input.headers).serial;
  } catch {
    return undefined;
  }
}
