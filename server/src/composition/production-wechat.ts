/** Production's WeChat clients, from configuration only. */
import type { Clock } from '../clock';
import type { Config } from '../config/config';
import type { AccessTokenStore } from '../wechat/platform/access-token-manager';
import { createWechatPlatformClient, type WechatPlatformClient } from '../wechat/platform/platform-client';
import { createWechatDeps, type WechatDeps } from '../wechat/wechat-deps';

/** The clients for the configured merchant; configuration validation guarantees every value. */
export function createProductionWechat(config: Config, clock: Clock): WechatDeps {
  const pay = config.wechatPay;
  const login = config.wechatLogin;
  if (pay === undefined || login === undefined) throw new Error('WeChat Pay and login must be configured in production');
  return createWechatDeps({ pay, payAppId: login.appId, login, notifyUrl: pay.notifyUrl, clock, payTimeoutMs: config.wechatPayTimeoutMs });
}

/**
 * The client of WeChat's server API (codes, URL Links) for the configured mini program, at
 * `WECHAT_API_BASE_URL` like the login API, with its access token in `tokenStore` (shared by every instance).
 */
export function createProductionPlatform(config: Config, clock: Clock, tokenStore: AccessTokenStore): WechatPlatformClient {
  const login = config.wechatLogin;
  if (login === undefined) throw new Error('WECHAT_APPID and WECHAT_APP_SECRET must be configured in production');
  return createWechatPlatformClient({ baseUrl: login.apiBaseUrl, appId: login.appId, appSecret: login.appSecret, clock, tokenStore });
}
