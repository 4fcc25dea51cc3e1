/**
 * Sandbox mode's WeChat: the Pay and login simulators mounted in this same server at the real
 * protocol paths, and clients pointed at them over HTTP. The clients cannot tell a simulator from
 * WeChat: only base URLs and keys differ.
 */
import { Router } from 'express';
import type pino from 'pino';
import type { AdjustableClock } from '../clock';
import type { Config } from '../config/config';
import { createWechatDeps, type WechatDeps } from '../wechat/wechat-deps';
import type { AccessTokenStore } from '../wechat/platform/access-token-manager';
import { createWechatPlatformClient, type WechatPlatformClient } from '../wechat/platform/platform-client';
import { loadOrCreateSandboxWechatKeys, sandboxLoginAccount, sandboxMiniProgramUserName, sandboxPayAccount, type SandboxWechatKeys } from '../sandbox/simulators/sandbox-keys';
import { createSandboxWechatRoutes } from '../sandbox/simulators/sandbox-wechat-routes';
import { createWechatLoginSimulator, type WechatLoginSimulator } from '../sandbox/simulators/wechat-login-simulator';
import { createWechatPlatformSimulator, h5PageUrlAt, type WechatPlatformSimulator } from '../sandbox/simulators/wechat-platform-simulator';
import { createWechatPaySimulator, type WechatPaySimulator } from '../sandbox/simulators/wechatpay/simulator';

/** Where the simulators are mounted in the sandbox server. */
export const SANDBOX_WECHATPAY_PATH = '/sandbox/wechatpay-api';
export const SANDBOX_WECHAT_API_PATH = '/sandbox/wechat-api';
/** Where the simulated URL Links live (they redirect to the H5 pay page). */
export const SANDBOX_URL_LINK_PATH = '/sandbox/urllink';

/** The sandbox's WeChat parts. */
export interface SandboxWechat {
  wechat: WechatDeps;
  /** The sandbox's merchant and platform keys (test material, generated per data folder). */
  keys: SandboxWechatKeys;
  paySimulator: WechatPaySimulator | undefined;
  loginSimulator: WechatLoginSimulator | undefined;
  /** WeChat's server API for codes and URL Links, simulated unless a WeChat login is configured. */
  platformSimulator: WechatPlatformSimulator | undefined;
  /** The client of that API (the simulator's, or the configured WeChat's). */
  platform: WechatPlatformClient;
  /** The mini program's original id: `WECHAT_MINIPROGRAM_USERNAME`, or the simulated one's. */
  miniProgramUserName: string;
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
  /** Where people reach this server: what codes and URL Links lead to (a phone must reach it). */
  publicBaseUrl: string;
  logger: pino.Logger;
  timeFactor: number;
  /** The Pay simulator's coin for its `random` signing key choice. */
  random?: () => number;
  /** Where the access token of WeChat's server API is kept (the store, shared by instances). */
  tokenStore: AccessTokenStore;
}): SandboxWechat {
  const { config, clock, selfUrl, logger } = options;
  const keys = loadOrCreateSandboxWechatKeys(config.dataDir);
  const notifyUrl = config.wechatPay?.notifyUrl || `${selfUrl}/v1/wechatpay/notify`;

  const paySimulator = config.wechatPay ? undefined : createWechatPaySimulator({ clock, keys, timeFactor: options.timeFactor, logger: logger.child({ component: 'wechatpay-simulator' }), ...(options.random === undefined ? {} : { random: options.random }) });
  // The simulated Pay accepts only the sandbox's own app id; a configured Pay pays into the
  // configured mini program, or the sandbox's own while login is simulated.
  const payAppId = config.wechatPay ? (config.wechatLogin?.appId ?? keys.appId) : keys.appId;
  const loginSimulator = config.wechatLogin ? undefined : createWechatLoginSimulator({ clock, appId: keys.appId, appSecret: keys.appSecret });
  const wechat = createWechatDeps({
    pay: config.wechatPay ?? sandboxPayAccount(keys, `${selfUrl}${SANDBOX_WECHATPAY_PATH}`, config.wechatPayMode),
    payAppId,
    login: config.wechatLogin ?? sandboxLoginAccount(keys, `${selfUrl}${SANDBOX_WECHAT_API_PATH}`),
    notifyUrl,
    clock,
    payTimeoutMs: config.wechatPayTimeoutMs,
  });

  // Codes and URL Links: simulated beside the login simulator (same API, same credentials),
  // leading to this server's H5 build; a configured WeChat login brings its WeChat along.
  const platformSimulator = config.wechatLogin
    ? undefined
    : createWechatPlatformSimulator({
        clock,
        appId: keys.appId,
        appSecret: keys.appSecret,
        h5PageUrl: h5PageUrlAt(`${options.publicBaseUrl}/app`),
        urlLinkBase: `${options.publicBaseUrl}${SANDBOX_URL_LINK_PATH}`,
      });
  const platformAccount = config.wechatLogin ?? sandboxLoginAccount(keys, `${selfUrl}${SANDBOX_WECHAT_API_PATH}`);
  const platform = createWechatPlatformClient({
    baseUrl: platformAccount.apiBaseUrl,
    appId: platformAccount.appId,
    appSecret: platformAccount.appSecret,
    clock,
    tokenStore: options.tokenStore,
  });

  const rawRouters: SandboxWechat['rawRouters'] = [];
  if (paySimulator) rawRouters.push({ path: SANDBOX_WECHATPAY_PATH, router: paySimulator.router });
  if (loginSimulator) rawRouters.push({ path: SANDBOX_WECHAT_API_PATH, router: loginSimulator.router });
  if (platformSimulator) {
    rawRouters.push({ path: SANDBOX_WECHAT_API_PATH, router: platformSimulator.router });
    rawRouters.push({ path: SANDBOX_URL_LINK_PATH, router: platformSimulator.urlLinkRouter });
  }
  const routes = paySimulator && loginSimulator ? [Router({ caseSensitive: true }).use('/sandbox', createSandboxWechatRoutes({ paySimulator, loginSimulator, platformSimulator }))] : [];

  return {
    wechat,
    keys,
    paySimulator,
    loginSimulator,
    platformSimulator,
    platform,
    miniProgramUserName: config.miniProgram.userName ?? sandboxMiniProgramUserName(keys),
    rawRouters,
    routes,
    close() {
      platform.close();
      paySimulator?.close();
      return Promise.resolve();
    },
  };
}
