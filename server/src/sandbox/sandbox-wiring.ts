/**
 * Sandbox mode's WeChat: the Pay and login simulators mounted in this same server at the real
 * protocol paths, and clients pointed at them over HTTP. The clients cannot tell a simulator from
 * WeChat: only base URLs and keys differ (DESIGN.md §6).
 */
import { Router } from 'express';
import type pino from 'pino';
import type { AdjustableClock, Clock } from '../clock';
import type { Config } from '../config/config';
import { createWechatLoginClient } from '../wechat/login-client';
import { createWechatPayClient, type WechatPayClientOptions } from '../wechat/pay-client';
import type { WechatDeps } from '../wechat/wechat-deps';
import { loadOrCreateSandboxWechatKeys, type SandboxWechatKeys } from './sandbox-keys';
import { createSandboxWechatRoutes } from './sandbox-wechat-routes';
import { createWechatLoginSimulator, type WechatLoginSimulator } from './wechat-login-simulator';
import { createWechatPaySimulator, type WechatPaySimulator } from './wechatpay/simulator';

/** Where the simulators are mounted in the sandbox server. */
export const SANDBOX_WECHATPAY_PATH = '/sandbox/wechatpay-api';
export const SANDBOX_WECHAT_API_PATH = '/sandbox/wechat-api';

/** Pay client options for a merchant of the sandbox's keys, talking to a simulator at `baseUrl`. */
export function sandboxPayClientOptions(keys: SandboxWechatKeys, baseUrl: string, clock: Clock, timeoutMs: number): WechatPayClientOptions {
  return {
    baseUrl,
    mchId: keys.mchId,
    appId: keys.appId,
    merchantSerial: keys.merchant.serial,
    merchantPrivateKey: keys.merchant.privateKeyPem,
    apiV3Key: keys.apiV3Key,
    platformPublicKey: keys.platform.publicKeyPem,
    platformPublicKeyId: keys.platform.publicKeyId,
    clock,
    timeoutMs,
  };
}

/** The sandbox's WeChat parts. */
export interface SandboxWechat {
  wechat: WechatDeps;
  /** The sandbox's merchant and platform keys (test material, generated per data folder). */
  keys: SandboxWechatKeys;
  paySimulator: WechatPaySimulator | undefined;
  loginSimulator: WechatLoginSimulator | undefined;
  /** Mounted before body parsing: the Pay simulator verifies signatures over the exact bytes. */
  rawRouters: { path: string; router: Router }[];
  /** QA routes (`/sandbox/wx/login`, `/sandbox/wechatpay/pay`, `/sandbox/faults`). */
  routes: Router[];
  close(): Promise<void>;
}

/**
 * Builds the sandbox's WeChat. A WeChat Pay or login configured in the environment is used as
 * is (the sandbox pointed at another implementation); whatever is not configured is simulated.
 */
export function createSandboxWechat(options: {
  config: Config;
  clock: AdjustableClock;
  selfUrl: string;
  logger: pino.Logger;
  timeFactor: number;
}): SandboxWechat {
  const { config, clock, selfUrl, logger } = options;
  const keys = loadOrCreateSandboxWechatKeys(config.dataDir);
  const notifyUrl = config.wechatPay?.notifyUrl || `${selfUrl}/v1/wechatpay/notify`;

  const paySimulator = config.wechatPay ? undefined : createWechatPaySimulator({ clock, keys, timeFactor: options.timeFactor, logger: logger.child({ component: 'wechatpay-simulator' }) });
  const pay = config.wechatPay
    ? createWechatPayClient({
        baseUrl: config.wechatPay.baseUrl,
        mchId: config.wechatPay.mchId,
        appId: config.wechatLogin?.appId ?? keys.appId,
        merchantSerial: config.wechatPay.merchantSerial,
        merchantPrivateKey: config.wechatPay.merchantPrivateKeyPem,
        apiV3Key: config.wechatPay.apiV3Key,
        platformPublicKey: config.wechatPay.platformPublicKeyPem,
        platformPublicKeyId: config.wechatPay.platformPublicKeyId,
        clock,
        timeoutMs: config.wechatPayTimeoutMs,
      })
    : createWechatPayClient(sandboxPayClientOptions(keys, `${selfUrl}${SANDBOX_WECHATPAY_PATH}`, clock, config.wechatPayTimeoutMs));

  const appId = config.wechatLogin?.appId ?? pay.appId;
  const loginSimulator = config.wechatLogin ? undefined : createWechatLoginSimulator({ clock, appId, appSecret: keys.appSecret });
  const login = createWechatLoginClient(
    config.wechatLogin
      ? { baseUrl: config.wechatLogin.apiBaseUrl, appId: config.wechatLogin.appId, appSecret: config.wechatLogin.appSecret }
      : { baseUrl: `${selfUrl}${SANDBOX_WECHAT_API_PATH}`, appId, appSecret: keys.appSecret },
  );

  const rawRouters: SandboxWechat['rawRouters'] = [];
  if (paySimulator) rawRouters.push({ path: SANDBOX_WECHATPAY_PATH, router: paySimulator.router });
  if (loginSimulator) rawRouters.push({ path: SANDBOX_WECHAT_API_PATH, router: loginSimulator.router });
  const routes = paySimulator && loginSimulator ? [Router().use('/sandbox', createSandboxWechatRoutes({ paySimulator, loginSimulator }))] : [];

  return {
    wechat: { pay, login, notifyUrl },
    keys,
    paySimulator,
    loginSimulator,
    rawRouters,
    routes,
    async close() {
      await paySimulator?.close();
    },
  };
}
