/** The WeChat side of the services: a Pay v3 client, a login client, and where notifications go. */
import type { WechatLoginClient } from './login-client';
import type { WechatPayClient } from './pay-client';

/** WeChat clients as the services use them; production and sandbox differ only in URLs and keys. */
export interface WechatDeps {
  pay: WechatPayClient;
  login: WechatLoginClient;
  /** Our notification endpoint, sent with every prepay and refund. */
  notifyUrl: string;
}
