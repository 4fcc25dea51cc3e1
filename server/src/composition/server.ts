/**
 * The composition root: starts a Friend Pay server from a configuration. It opens and migrates
 * the store, binds the port (so the sandbox knows its own URL), wires every service's
 * dependencies, builds the app and starts the background work.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { Router, type Express } from 'express';
import type pino from 'pino';
import { AdjustableClock, systemClock, type Clock } from '../clock';
import type { Config } from '../config/config';
import { loadOrCreateSandboxSecrets } from '../config/sandbox-secrets';
import { createApp } from './app';
import { randomIds, type IdSource } from '../ids';
import { startWorkers, type WorkerIntervals } from '../background/workers';
import { createLinkKeyring } from '../tokens/link-keys';
import { createLogger } from '../logging/logger';
import { demoShopSource, type DemoShopSource } from '../sandbox/qa/demo-shop';
import { restoreSandboxClock, saveSandboxClock } from '../sandbox/qa/sandbox-clock-file';
import { sandboxRoutes } from '../sandbox/qa/sandbox-routes';
import { createWebhookReceiver, type WebhookReceiver } from '../sandbox/qa/webhook-receiver';
import { createSandboxWechat, type SandboxWechat } from './sandbox-wechat';
import { createProductionPlatform, createProductionWechat } from './production-wechat';
import { createSharedAccessTokenStore } from './shared-access-token-store';
import { createLiveWechat } from './live-wechat';
import type { WechatMessagesSimulator } from '../sandbox/simulators/wechat-messages-simulator';
import type { WechatPlatformSimulator } from '../sandbox/simulators/wechat-platform-simulator';
import { liveSandboxRoutes } from '../sandbox/qa/live-sandbox-routes';
import { createSessionKey } from '../sessions/session-token';
import { appMessages } from '../express-server';
import { createRateLimits } from '../http/rate-limits';
import { createMetrics } from '../observability/metrics';
import type { ServiceDeps } from '../service-deps';
import { openStore } from '../store/open-store';
import { webhookTargetPolicy } from '../webhooks/webhook-targets';
import type { Store } from '../store/store';

/** Parts a caller (usually a test) may supply instead of the defaults. */
export interface ServerOverrides {
  store?: Store;
  clock?: Clock;
  ids?: IdSource;
  logger?: pino.Logger;
  /** Run the background workers (default true); tests may call `sweepOnce` etc. themselves. */
  workers?: boolean;
  /** Worker intervals (defaults: sweep per SWEEP_INTERVAL_MS, reconcile 2 s, deliver 1 s). */
  workerIntervals?: Partial<WorkerIntervals>;
  /** Routes mounted with the app's own middleware, e.g. the benchmark's Express hello. */
  extraRouters?: Router[];
  /** The H5 build to serve at `/app/` (default: miniprogram/dist/h5 when it exists). */
  h5Dir?: string;
  /** Multiplies the WeChat Pay simulator's notification retry delays (default 1: WeChat's own schedule). */
  sandboxTimeFactor?: number;
  /** The WeChat Pay simulator's coin for its `random` signing key choice (default Math.random). */
  sandboxRandom?: () => number;
}

/** A listening server. */
export interface RunningServer {
  url: string;
  port: number;
  app: Express;
  deps: ServiceDeps;
  /** The sandbox's movable clock; undefined in production. */
  sandboxClock: AdjustableClock | undefined;
  /** The sandbox's WeChat simulators; undefined in production. */
  sandbox: SandboxWechat | undefined;
  /** The sandbox's QA parts (demo shop, webhook receiver, the clock move kept from the last run); undefined in production. */
  qa: SandboxQa | undefined;
  /** Live status in the chat's simulators (issue 18); undefined outside a simulated sandbox. */
  liveSimulators: { messages: WechatMessagesSimulator; platform: WechatPlatformSimulator } | undefined;
  close(): Promise<void>;
}

/** The sandbox's QA parts, for `npm start` to print and tests to inspect. */
export interface SandboxQa {
  demoShop: DemoShopSource;
  webhooks: WebhookReceiver;
  /** How far the clock was moved on this database before this start (ms; 0 when it was not). */
  restoredClockOffsetMs: number;
}

/** The mini program's H5 build in this checkout, if it has been built. */
export function defaultH5Dir(): string | undefined {
  const dir = path.resolve(__dirname, '..', '..', '..', 'miniprogram', 'dist', 'h5');
  return fs.existsSync(path.join(dir, 'index.html')) ? dir : undefined;
}

function listen(server: http.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Starts the server described by `config`. */
export async function startServer(config: Config, overrides: ServerOverrides = {}): Promise<RunningServer> {
  const logger = overrides.logger ?? createLogger(config.logLevel);
  const sandboxClock = config.sandbox ? new AdjustableClock(overrides.clock ?? systemClock) : undefined;
  // A clock moved before a restart stays moved: the rows written then carry its times.
  const restoredClockOffsetMs = sandboxClock ? restoreSandboxClock(sandboxClock, config.dataDir, config.database) : 0;
  const clock: Clock = sandboxClock ?? overrides.clock ?? systemClock;
  const secrets = config.sandbox && config.linkSigningKeys === undefined ? loadOrCreateSandboxSecrets(config.dataDir) : undefined;
  const linkSigningKeys = config.linkSigningKeys ?? secrets?.linkSigningKeys;
  if (linkSigningKeys === undefined) throw new Error('LINK_SIGNING_KEYS is required');
  const sessionSigningKey = config.sessionSigningKey ?? secrets?.sessionSigningKey ?? (config.sandbox ? loadOrCreateSandboxSecrets(config.dataDir).sessionSigningKey : undefined);
  if (sessionSigningKey === undefined) throw new Error('SESSION_SIGNING_KEY is required');

  const store = overrides.store ?? (await openStore(config.database));
  await store.migrate();

  // Created before the app (which needs the URL): the app's prototypes are adopted once it exists.
  const messages = appMessages();
  const server = http.createServer(messages.options);
  // Slow clients must not hold sockets forever; WeChat's notify timeout is 5 s, ours is generous.
  server.requestTimeout = 30_000;
  server.headersTimeout = 15_000;
  let port: number;
  try {
    port = await listen(server, config.port, config.host);
  } catch (error: unknown) {
    await store.close();
    throw error;
  }
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${port}`;
  const publicBaseUrl = config.publicBaseUrl ?? url;
  // One WeChat access token for every instance on this store.
  const tokenStore = createSharedAccessTokenStore({ store, clock });
  const sandbox = sandboxClock
    ? createSandboxWechat({ config, clock: sandboxClock, selfUrl: url, publicBaseUrl, logger, timeFactor: overrides.sandboxTimeFactor ?? 1, tokenStore, ...(overrides.sandboxRandom === undefined ? {} : { random: overrides.sandboxRandom }) })
    : undefined;
  const platform = sandbox?.platform ?? createProductionPlatform(config, clock, tokenStore);
  const miniProgramUserName = sandbox?.miniProgramUserName ?? config.miniProgram.userName;
  if (miniProgramUserName === undefined) throw new Error('WECHAT_MINIPROGRAM_USERNAME is required');
  const deps: ServiceDeps = {
    store,
    clock,
    ids: overrides.ids ?? randomIds,
    keyring: createLinkKeyring(linkSigningKeys),
    logger,
    publicBaseUrl,
    wechat: sandbox?.wechat ?? createProductionWechat(config, clock),
    sessionKey: createSessionKey(sessionSigningKey),
    metrics: createMetrics(async () => {
      const oldest = await store.oldestUndeliveredEventAt();
      return oldest === undefined ? 0 : Math.max(0, (clock.now() - oldest) / 1000);
    }),
    sandboxMode: config.sandbox,
    webhookTargets: webhookTargetPolicy(config.webhookTargets),
    miniProgram: { platform, userName: miniProgramUserName, envVersion: config.miniProgram.envVersion },
  };
  const verification = deps.wechat.pay.verification();
  if (sandbox === undefined && verification.publicKeyId === undefined) {
    // Certificates alone verify WeChat Pay: have them before the first notification, without holding up the start.
    deps.wechat.pay.refreshCertificates().then(
      (certificates) => logger.info({ serials: certificates.map((c) => c.serial) }, 'WeChat Pay platform certificates downloaded'),
      (error: unknown) => logger.warn({ err: error }, 'WeChat Pay platform certificates could not be downloaded yet; they are fetched again when WeChat Pay signs with them'),
    );
  }
  // Live status in the chat (issue 18): WeChat's message APIs, simulated in the sandbox.
  const live = createLiveWechat({ config, clock, selfUrl: url, sandbox, platform, logger });
  deps.live = live.deps;
  const liveSandboxRouters: Router[] = sandbox ? [liveSandboxRoutes(deps, live.messagesSimulator), ...(live.messagesSimulator ? [Router({ caseSensitive: true }).use('/sandbox', live.messagesSimulator.qaRouter)] : [])] : [];
  const webhooks = sandboxClock ? createWebhookReceiver({ store, clock, selfUrl: url }) : undefined;
  const qa: SandboxQa | undefined = webhooks && { demoShop: demoShopSource(deps, config.dataDir, (shopId) => webhooks.urlFor(shopId)), webhooks, restoredClockOffsetMs };
  const sandboxRouters: Router[] = sandboxClock && sandbox && qa
    ? [sandboxRoutes(deps, sandboxClock, { demoShop: qa.demoShop, clockMoved: () => saveSandboxClock(sandboxClock, config.dataDir, config.database) }), ...sandbox.routes, ...liveSandboxRouters]
    : [];
  const h5Dir = overrides.h5Dir ?? defaultH5Dir();
  const rateLimits = createRateLimits(config.rateLimits, { redisUrl: config.redisUrl, keyPrefix: config.redisKeyPrefix, logger });
  // Limits counted in memory while Redis connects would not be shared: wait for it a moment.
  if (!(await rateLimits.ready(3000))) logger.warn('Redis not ready; rate limits count in memory until it is');
  const app = createApp({
    deps,
    rateLimits,
    trustProxy: config.trustProxy,
    rawRouters: [...(sandbox?.rawRouters ?? []), ...live.rawRouters, ...(webhooks ? [{ path: '/', router: webhooks.router }] : [])],
    sandboxRouters,
    extraRouters: overrides.extraRouters ?? [],
    ...(h5Dir ? { h5Dir } : {}),
    ...(config.miniProgram.qrcodeVerifyFile ? { qrcodeVerifyFile: config.miniProgram.qrcodeVerifyFile } : {}),
  });
  messages.adopt(app);
  server.on('request', app);
  const workers = overrides.workers === false
    ? undefined
    : startWorkers(deps, { sweepMs: config.sweepIntervalMs, reconcileMs: 2000, deliverMs: 1000, ...overrides.workerIntervals });

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    app,
    deps,
    sandboxClock,
    sandbox,
    qa,
    liveSimulators: live.messagesSimulator && live.platformSimulator ? { messages: live.messagesSimulator, platform: live.platformSimulator } : undefined,
    close() {
      closing ??= (async () => {
        await workers?.stop();
        if (sandbox === undefined) platform.close();
        live.close();
        await sandbox?.close();
        await rateLimits.close();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        await store.close();
      })();
      return closing;
    },
  };
}
