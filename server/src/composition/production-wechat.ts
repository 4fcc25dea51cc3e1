/** Production's WeChat clients, from configuration only. */
import type { Clock } from '../clock';
import type { Config } from '../config/config';
import { createWechatDeps, type WechatDeps } from '../wechat/wechat-deps';

/** The clients for the configured merchant; configuration validation guarantees every value. */
export function createProductionWechat(config: Config, clock: Clock): WechatDeps {
  const pay = config.wechatPay;
  const login = config.wechatLogin;
  if (pay === undefined || login === undefined) throw new Error('WeChat Pay and login must be configured in production');
  return createWechatDeps({ pay, payAppId: login.appId, login, notifyUrl: pay.notifyUrl, clock, payTimeoutMs: config.wechatPayTimeoutMs });
}
