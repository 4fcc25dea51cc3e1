/**
 * The services' dependencies for a command that works on the store and WeChat Pay without
 * serving HTTP (`npm run reconcile`). Production builds them from configuration exactly as the
 * server does. In the sandbox the simulated WeChat Pay lives inside the running sandbox server
 * (`npm start`): the command reaches it there with the sandbox's keys from the data folder, on
 * the sandbox's movable clock (a signature's time must agree with the simulator's).
 */
import { webhookTargetPolicy } from '../webhooks/webhook-targets';
import fs from 'node:fs';
import path from 'node:path';
import { AdjustableClock, systemClock, type Clock } from '../clock';
import type { Config } from '../config/config';
import { loadOrCreateSandboxSecrets } from '../config/sandbox-secrets';
import { randomIds } from '../ids';
import { createLogger } from '../logging/logger';
import { createMetrics } from '../observability/metrics';
import { SANDBOX_WECHAT_KEYS_FILE, loadOrCreateSandboxWechatKeys, sandboxLoginAccount, sandboxMiniProgramUserName, sandboxPayAccount } from '../sandbox/simulators/sandbox-keys';
import type { ServiceDeps } from '../service-deps';
import { createSessionKey } from '../sessions/session-token';
import { openStore } from '../store/open-store';
import { createLinkKeyring } from '../tokens/link-keys';
import { createWechatPlatformClient } from '../wechat/platform/platform-client';
import { createWechatDeps, type WechatDeps, type WechatLoginAccount } from '../wechat/wechat-deps';
import { createSharedAccessTokenStore } from './shared-access-token-store';
import { createProductionWechat } from './production-wechat';
import { SANDBOX_WECHAT_API_PATH, SANDBOX_WECHATPAY_PATH } from './sandbox-wechat';

/** A command's dependencies and how to let them go. */
export interface CommandDeps {
  deps: ServiceDeps;
  close(): Promise<void>;
}

/** Why a command cannot reach what it needs; its message is for the person who ran it. */
export class CommandSetupError extends Error {
  override readonly name = 'CommandSetupError';
}

/** The sandbox server's clock, as far as it has been moved, so the command's signatures agree with its simulator. */
async function sandboxClock(baseUrl: string): Promise<Clock> {
  let offsetSeconds: number;
  try {
    const answer = await fetch(`${baseUrl}/sandbox/clock`, { signal: AbortSignal.timeout(5000) });
    if (!answer.ok) throw new Error(`answered ${answer.status}`);
    offsetSeconds = Number(((await answer.json()) as { offset_seconds?: unknown }).offset_seconds ?? 0);
  } catch (error: unknown) {
    throw new CommandSetupError(`no sandbox server answers at ${baseUrl} (${error instanceof Error ? error.message : String(error)}); the sandbox's WeChat Pay lives in it: start it with npm start, or set PUBLIC_BASE_URL to where it runs`);
  }
  const clock = new AdjustableClock(systemClock);
  if (Number.isFinite(offsetSeconds) && offsetSeconds > 0) clock.advance(offsetSeconds);
  return clock;
}

/** The WeChat clients: configured ones as the server builds them, else the running sandbox server's simulators. */
async function commandWechat(config: Config): Promise<{ wechat: WechatDeps; clock: Clock; baseUrl: string | undefined; login: WechatLoginAccount; miniProgramUserName: string | undefined }> {
  if (!config.sandbox) {
    const clock = systemClock;
    if (config.wechatLogin === undefined) throw new CommandSetupError('WECHAT_APPID and WECHAT_APP_SECRET are required');
    return { wechat: createProductionWechat(config, clock), clock, baseUrl: config.publicBaseUrl, login: config.wechatLogin, miniProgramUserName: config.miniProgram.userName };
  }
  const baseUrl = config.publicBaseUrl ?? `http://127.0.0.1:${config.port}`;
  if (!fs.existsSync(path.join(config.dataDir, SANDBOX_WECHAT_KEYS_FILE))) {
    throw new CommandSetupError(`no sandbox keys in ${config.dataDir}: run the sandbox (npm start) with this DATA_DIR first`);
  }
  const keys = loadOrCreateSandboxWechatKeys(config.dataDir);
  const clock = config.wechatPay ? systemClock : await sandboxClock(baseUrl);
  const login = config.wechatLogin ?? sandboxLoginAccount(keys, `${baseUrl}${SANDBOX_WECHAT_API_PATH}`);
  const wechat = createWechatDeps({
    pay: config.wechatPay ?? sandboxPayAccount(keys, `${baseUrl}${SANDBOX_WECHATPAY_PATH}`, config.wechatPayMode),
    payAppId: config.wechatPay ? (config.wechatLogin?.appId ?? keys.appId) : keys.appId,
    login,
    notifyUrl: config.wechatPay?.notifyUrl || `${baseUrl}/v1/wechatpay/notify`,
    clock,
    payTimeoutMs: config.wechatPayTimeoutMs,
  });
  return { wechat, clock, baseUrl, login, miniProgramUserName: config.miniProgram.userName ?? sandboxMiniProgramUserName(keys) };
}

/** Opens the store and builds the services' dependencies for a command. */
export async function createCommandDeps(config: Config): Promise<CommandDeps> {
  const { wechat, clock, baseUrl, login, miniProgramUserName } = await commandWechat(config);
  const secrets = config.sandbox && (config.linkSigningKeys === undefined || config.sessionSigningKey === undefined) ? loadOrCreateSandboxSecrets(config.dataDir) : undefined;
  const linkSigningKeys = config.linkSigningKeys ?? secrets?.linkSigningKeys;
  const sessionSigningKey = config.sessionSigningKey ?? secrets?.sessionSigningKey;
  if (linkSigningKeys === undefined || sessionSigningKey === undefined) throw new CommandSetupError('LINK_SIGNING_KEYS and SESSION_SIGNING_KEY are required');
  const store = await openStore(config.database);
  await store.migrate();
  // Commands print their own progress; the services' log lines are for trouble only.
  const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
  const deps: ServiceDeps = {
    store,
    clock,
    ids: randomIds,
    keyring: createLinkKeyring(linkSigningKeys),
    logger,
    publicBaseUrl: config.publicBaseUrl ?? baseUrl ?? '',
    wechat,
    sessionKey: createSessionKey(sessionSigningKey),
    metrics: createMetrics(() => Promise.resolve(0)),
    sandboxMode: config.sandbox,
    webhookTargets: webhookTargetPolicy(config.webhookTargets),
    // Commands make no codes or URL Links, but the services' dependencies name the mini program:
    // a client over the shared token makes no call until one is asked of it.
    miniProgram: {
      platform: createWechatPlatformClient({ baseUrl: login.apiBaseUrl, appId: login.appId, appSecret: login.appSecret, clock, tokenStore: createSharedAccessTokenStore({ store, clock }) }),
      userName: miniProgramUserName ?? '',
      envVersion: config.miniProgram.envVersion,
    },
  };
  return {
    deps,
    close: () => {
      deps.miniProgram.platform.close();
      return store.close();
    },
  };
}
