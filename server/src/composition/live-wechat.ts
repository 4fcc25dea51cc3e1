/**
 * Live status in the chat's WeChat side (issue 18): a message client on WeChat's server API,
 * and in the sandbox the simulators it talks to, mounted in this same server at the real paths.
 *
 * The message client rides on the mini program's platform client (one access token, kept in the
 * store and shared by every instance); in the sandbox the messages simulator checks tokens with the
 * platform simulator that issued them.
 */
import type { Router } from 'express';
import type pino from 'pino';
import type { Clock } from '../clock';
import type { Config } from '../config/config';
import type { LiveDeps } from '../service-deps';
import { createWechatMessagesSimulator, SANDBOX_TEMPLATES, type WechatMessagesSimulator } from '../sandbox/simulators/wechat-messages-simulator';
import type { WechatPlatformSimulator } from '../sandbox/simulators/wechat-platform-simulator';
import { createBinaryHttp } from '../wechat/platform/binary-http';
import { createWechatMessageClient } from '../wechat/platform/message-client';
import type { WechatPlatformClient } from '../wechat/platform/platform-client';
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
export function createLiveWechat(options: { config: Config; clock: Clock; selfUrl: string; sandbox: SandboxWechat | undefined; platform: WechatPlatformClient; logger: pino.Logger }): LiveWechat {
  const { config, clock, selfUrl, sandbox, platform } = options;
  const simulate = sandbox !== undefined && sandbox.loginSimulator !== undefined;
  const login = simulate ? { apiBaseUrl: `${selfUrl}${SANDBOX_WECHAT_API_PATH}`, appId: sandbox.keys.appId, appSecret: sandbox.keys.appSecret } : config.wechatLogin;
  const configured = config.live.templates;
  // The sandbox's WeChat knows its own templates: they stand in for any not configured.
  const templates = config.sandbox
    ? { friendPaid: configured.friendPaid ?? SANDBOX_TEMPLATES.friendPaid, linkExpiring: configured.linkExpiring ?? SANDBOX_TEMPLATES.linkExpiring, refund: configured.refund ?? SANDBOX_TEMPLATES.refund }
    : configured;

  const platformSimulator: WechatPlatformSimulator | undefined = sandbox?.platformSimulator;
  let messagesSimulator: WechatMessagesSimulator | undefined;
  const rawRouters: LiveWechat['rawRouters'] = [];
  if (simulate) {
    const loginSimulator = sandbox.loginSimulator;
    messagesSimulator = createWechatMessagesSimulator({
      clock,
      appId: sandbox.keys.appId,
      accessTokenProblem: (token) => (platformSimulator === undefined ? 40001 : platformSimulator.accessTokenProblem(token)),
      sessionKeyOf: (openid) => loginSimulator?.sessionKeyOf(openid),
      templates: [templates.friendPaid, templates.linkExpiring, templates.refund].filter((id): id is string => id !== undefined),
    });
    // The platform simulator itself is mounted by the sandbox's wiring (sandbox-wechat.ts).
    rawRouters.push({ path: SANDBOX_WECHAT_API_PATH, router: messagesSimulator.router });
  }

  const http = createBinaryHttp();
  const messages = login === undefined ? undefined : createWechatMessageClient({ baseUrl: login.apiBaseUrl, tokens: platform.tokens, http, clock });
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
