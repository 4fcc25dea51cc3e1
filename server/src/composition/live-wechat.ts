/**
 * Live status in the chat's WeChat side (issue 18): a message client on WeChat's server API,
 * and in the sandbox the simulators it talks to, mounted in this same server at the real paths.
 *
 * Until the store-backed shared access token of issue 13 is wired, the token is kept in this
 * process's memory (`InMemoryAccessTokenStore`): right for one instance. When issue 13 mounts its
 * platform simulator in the sandbox, this block should take that one (its `accessTokenProblem`)
 * instead of making its own.
 */
import type { Router } from 'express';
import type pino from 'pino';
import type { Clock } from '../clock';
import type { Config } from '../config/config';
import type { LiveDeps } from '../service-deps';
import { createWechatMessagesSimulator, SANDBOX_TEMPLATES, type WechatMessagesSimulator } from '../sandbox/simulators/wechat-messages-simulator';
import { createWechatPlatformSimulator, h5PageUrlAt, type WechatPlatformSimulator } from '../sandbox/simulators/wechat-platform-simulator';
import { createBinaryHttp } from '../wechat/platform/binary-http';
import { InMemoryAccessTokenStore } from '../wechat/platform/memory-access-token-store';
import { createWechatMessageClient } from '../wechat/platform/message-client';
import { createWechatPlatformClient } from '../wechat/platform/platform-client';
import { SANDBOX_WECHAT_API_PATH, type SandboxWechat } from './sandbox-wechat';

/** The parts the composition root mounts and hands to the services. */
export interface LiveWechat {
  deps: LiveDeps;
  /** The simulators' WeChat API routes, mounted before body parsing at the WeChat API's sandbox path. */
  rawRouters: { path: string; router: Router }[];
  /** The messages simulator when it runs in this process (sandbox with simulated login). */
  messagesSimulator: WechatMessagesSimulator | undefined;
  platformSimulator: WechatPlatformSimulator | undefined;
  close(): void;
}

/** Builds live status in the chat's WeChat side for this server. */
export function createLiveWechat(options: { config: Config; clock: Clock; selfUrl: string; sandbox: SandboxWechat | undefined; logger: pino.Logger }): LiveWechat {
  const { config, clock, selfUrl, sandbox } = options;
  const simulate = sandbox !== undefined && sandbox.loginSimulator !== undefined;
  const login = simulate ? { apiBaseUrl: `${selfUrl}${SANDBOX_WECHAT_API_PATH}`, appId: sandbox.keys.appId, appSecret: sandbox.keys.appSecret } : config.wechatLogin;
  const configured = config.live.templates;
  // The sandbox's WeChat knows its own templates: they stand in for any not configured.
  const templates = config.sandbox
    ? { friendPaid: configured.friendPaid ?? SANDBOX_TEMPLATES.friendPaid, linkExpiring: configured.linkExpiring ?? SANDBOX_TEMPLATES.linkExpiring, refund: configured.refund ?? SANDBOX_TEMPLATES.refund }
    : configured;

  let platformSimulator: WechatPlatformSimulator | undefined;
  let messagesSimulator: WechatMessagesSimulator | undefined;
  const rawRouters: LiveWechat['rawRouters'] = [];
  if (simulate) {
    platformSimulator = createWechatPlatformSimulator({
      clock,
      appId: sandbox.keys.appId,
      appSecret: sandbox.keys.appSecret,
      h5PageUrl: h5PageUrlAt(`${selfUrl}/app`),
      urlLinkBase: `${selfUrl}/sandbox/urllink`,
    });
    const loginSimulator = sandbox.loginSimulator;
    messagesSimulator = createWechatMessagesSimulator({
      clock,
      appId: sandbox.keys.appId,
      accessTokenProblem: (token) => (platformSimulator === undefined ? 40001 : platformSimulator.accessTokenProblem(token)),
      sessionKeyOf: (openid) => loginSimulator?.sessionKeyOf(openid),
      templates: [templates.friendPaid, templates.linkExpiring, templates.refund].filter((id): id is string => id !== undefined),
    });
    rawRouters.push({ path: SANDBOX_WECHAT_API_PATH, router: platformSimulator.router }, { path: SANDBOX_WECHAT_API_PATH, router: messagesSimulator.router });
  }

  const http = createBinaryHttp();
  const platform = login === undefined
    ? undefined
    : createWechatPlatformClient({ baseUrl: login.apiBaseUrl, appId: login.appId, appSecret: login.appSecret, clock, tokenStore: new InMemoryAccessTokenStore(), http });
  const messages = platform === undefined || login === undefined ? undefined : createWechatMessageClient({ baseUrl: login.apiBaseUrl, tokens: platform.tokens, http, clock });
  if (messages === undefined) options.logger.warn('WeChat server API not configured: share cards and subscribe messages are off');

  return {
    deps: { messages, templates, envVersion: config.live.envVersion, appId: login?.appId ?? '' },
    rawRouters,
    messagesSimulator,
    platformSimulator,
    close() {
      http.close();
    },
  };
}
