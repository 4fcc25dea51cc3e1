/** Production's WeChat clients, from configuration only. */
import type { Clock } from '../clock';
import type { Config } from '../config/config';
import { createWechatLoginClient } from './login-client';
import { createWechatPayClient } from './pay-client';
import type { WechatDeps } from './wechat-deps';

/** The clients for the configured merchant; configuration validation guarantees every value. */
export function createProductionWechat(config: Config, clock: Clock): WechatDeps {
  const pay = config.wechatPay;
  const login = config.wechatLogin;
  if (pay === undefined || login === undefined) throw new Error('WeChat Pay and login must be configured in production');
  return {
    pay: createWechatPayClient({
      baseUrl: pay.baseUrl,
      mchId: pay.mchId,
      appId: login.appId,
      merchantSerial: pay.merchantSerial,
      merchantPrivateKey: pay.merchantPrivateKeyPem,
      apiV3Key: pay.apiV3Key,
      platformPublicKey: pay.platformPublicKeyPem,
      platformPublicKeyId: pay.platformPublicKeyId,
      clock,
      timeoutMs: config.wechatPayTimeoutMs,
    }),
    login: createWechatLoginClient({ baseUrl: login.apiBaseUrl, appId: login.appId, appSecret: login.appSecret }),
    notifyUrl: pay.notifyUrl,
  };
}
