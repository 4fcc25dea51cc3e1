/** The WeChat side of the services: a Pay v3 client, a login client, and where notifications go. */
import type { Clock } from '../clock';
import type { WechatPayMode } from './consts';
import { createWechatLoginClient, type WechatLoginClient, type WechatLoginClientOptions } from './login-client';
import { createWechatPayClient, type WechatPayClient, type WechatPayClientOptions } from './pay-client';

/** WeChat clients as the services use them; production and sandbox differ only in URLs and keys. */
export interface WechatDeps {
  pay: WechatPayClient;
  login: WechatLoginClient;
  /** Our notification endpoint, sent with every prepay and refund. */
  notifyUrl: string;
}

/**
 * A WeChat Pay merchant account in plain values (PEM text, the APIv3 key as text): what the
 * configuration's WECHATPAY_* settings hold, or what the sandbox's generated keys stand for.
 */
export interface WechatPayAccount {
  baseUrl: string;
  /** `partner`: a service provider (服务商) collecting for each shop's sub-merchant. @default 'direct' */
  mode?: WechatPayMode | undefined;
  /** The merchant that signs: a direct merchant's `mchid`, or in partner mode `sp_mchid`. */
  mchId: string;
  /** Partner mode: the service provider's app (`sp_appid`), which the payments are made in. */
  spAppId?: string | undefined;
  merchantSerial: string;
  merchantPrivateKeyPem: string;
  apiV3Key: string;
  /** The WeChat Pay public key and its id; without them platform certificates alone verify. */
  platformPublicKeyPem?: string | undefined;
  platformPublicKeyId?: string | undefined;
}

/** A mini program's login settings in plain values, as the configuration's WECHAT_* settings hold them. */
export interface WechatLoginAccount {
  apiBaseUrl: string;
  appId: string;
  appSecret: string;
}

/**
 * The Pay client's options for `account`, paying into the mini program `appId` (in partner mode
 * the account's `sp_appid`): the one place the account's values become client options, so
 * production, the sandbox and tests cannot drift.
 */
export function wechatPayClientOptions(account: WechatPayAccount, appId: string, clock: Clock, timeoutMs: number): WechatPayClientOptions {
  const mode = account.mode ?? 'direct';
  return {
    baseUrl: account.baseUrl,
    mode,
    mchId: account.mchId,
    appId: mode === 'partner' ? (account.spAppId ?? appId) : appId,
    merchantSerial: account.merchantSerial,
    merchantPrivateKey: account.merchantPrivateKeyPem,
    apiV3Key: account.apiV3Key,
    platformPublicKey: account.platformPublicKeyPem,
    platformPublicKeyId: account.platformPublicKeyId,
    clock,
    timeoutMs,
  };
}

/** The login client's options for `account`. */
export function wechatLoginClientOptions(account: WechatLoginAccount): WechatLoginClientOptions {
  return { baseUrl: account.apiBaseUrl, appId: account.appId, appSecret: account.appSecret };
}

/** What the services' WeChat clients are built from. */
export interface WechatSettings {
  pay: WechatPayAccount;
  /**
   * The mini program the Pay client pays into. Usually `login.appId`, but a sandbox with a
   * configured login and a simulated Pay keeps the simulator's own app id.
   */
  payAppId: string;
  login: WechatLoginAccount;
  notifyUrl: string;
  clock: Clock;
  /** Per-attempt timeout of WeChat Pay calls. */
  payTimeoutMs: number;
}

/** The services' WeChat clients; production and the sandbox both build theirs here. */
export function createWechatDeps(settings: WechatSettings): WechatDeps {
  return {
    pay: createWechatPayClient(wechatPayClientOptions(settings.pay, settings.payAppId, settings.clock, settings.payTimeoutMs)),
    login: createWechatLoginClient(wechatLoginClientOptions(settings.login)),
    notifyUrl: settings.notifyUrl,
  };
}
