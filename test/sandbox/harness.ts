// Test harness: the simulators mounted where the server mounts them, on port 0 over real HTTP.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Request, type Response } from 'express';
import { AdjustableClock, type Clock } from '../../server/src/clock';
import { loadOrCreateSandboxWechatKeys, sandboxPayAccount, type SandboxWechatKeys } from '../../server/src/sandbox/simulators/sandbox-keys';
import { createSandboxWechatRoutes } from '../../server/src/sandbox/simulators/sandbox-wechat-routes';
import { createWechatLoginSimulator, type WechatLoginSimulator } from '../../server/src/sandbox/simulators/wechat-login-simulator';
import { createWechatPaySimulator, type WechatPaySimulator } from '../../server/src/sandbox/simulators/wechatpay/simulator';
import { createWechatLoginClient, type WechatLoginClient } from '../../server/src/wechat/login-client';
import { createWechatPayClient, type WechatPayClient, type WechatPayClientOptions } from '../../server/src/wechat/pay-client';
import { wechatPayClientOptions } from '../../server/src/wechat/wechat-deps';

let cachedKeys: SandboxWechatKeys | undefined;

/** One key set per test file: RSA generation is the slow part. */
export function sandboxKeys(): SandboxWechatKeys {
  cachedKeys ??= loadOrCreateSandboxWechatKeys(undefined);
  return cachedKeys;
}

/** Starts `app` on a loopback port; resolves to its base URL and a closer. */
export async function listen(app: http.RequestListener): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The simulators and clients wired as the server wires them. */
export interface Sandbox {
  url: string;
  payBaseUrl: string;
  loginBaseUrl: string;
  keys: SandboxWechatKeys;
  clock: AdjustableClock;
  paySimulator: WechatPaySimulator;
  loginSimulator: WechatLoginSimulator;
  payClient(overrides?: Partial<WechatPayClientOptions>): WechatPayClient;
  loginClient(): WechatLoginClient;
  close(): Promise<void>;
}

/** Mounts the simulators at `/sandbox/wechatpay-api`, `/sandbox/wechat-api` and the QA routes at `/sandbox`. */
export async function startSandbox(options: { timeFactor?: number; clock?: AdjustableClock; refundSettleMs?: number } = {}): Promise<Sandbox> {
  const keys = sandboxKeys();
  const clock = options.clock ?? new AdjustableClock();
  const paySimulator = createWechatPaySimulator({ clock, keys, timeFactor: options.timeFactor ?? 0.001, ...(options.refundSettleMs === undefined ? {} : { refundSettleMs: options.refundSettleMs }) });
  const loginSimulator = createWechatLoginSimulator({ clock, appId: keys.appId, appSecret: keys.appSecret });
  const app = express();
  // QA routes first on purpose: they must not swallow the simulators' raw bodies.
  app.use('/sandbox', createSandboxWechatRoutes({ paySimulator, loginSimulator }));
  app.use('/sandbox/wechatpay-api', paySimulator.router);
  app.use('/sandbox/wechat-api', loginSimulator.router);
  const server = await listen(app);
  const payBaseUrl = `${server.url}/sandbox/wechatpay-api`;
  const loginBaseUrl = `${server.url}/sandbox/wechat-api`;
  return {
    url: server.url,
    payBaseUrl,
    loginBaseUrl,
    keys,
    clock,
    paySimulator,
    loginSimulator,
    payClient: (overrides = {}) => createWechatPayClient({ ...payClientOptions(keys, payBaseUrl, clock), ...overrides }),
    loginClient: () => createWechatLoginClient({ baseUrl: loginBaseUrl, appId: keys.appId, appSecret: keys.appSecret }),
    close: async () => {
      paySimulator.close();
      await server.close();
    },
  };
}

/** Client options pointing at a simulator, as the server builds them from configuration. */
export function payClientOptions(keys: SandboxWechatKeys, baseUrl: string, clock: Clock): WechatPayClientOptions {
  return { ...wechatPayClientOptions(sandboxPayAccount(keys, baseUrl), keys.appId, clock, 2000), retryDelayMs: 1 };
}

/** A recorded notification. */
export interface ReceivedRequest {
  headers: http.IncomingHttpHeaders;
  rawBody: string;
  at: number;
}

/** A notify_url receiver; `answer` decides each status (default 204). */
export async function startReceiver(answer: (request: ReceivedRequest, index: number) => number = () => 204) {
  const received: ReceivedRequest[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  const app = express();
  app.post('/notify', express.raw({ type: () => true }), (req: Request, res: Response) => {
    const request: ReceivedRequest = { headers: req.headers, rawBody: Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '', at: Date.now() };
    received.push(request);
    res.status(answer(request, received.length - 1)).end();
    for (const waiter of waiters.filter((w) => received.length >= w.count)) waiter.resolve();
  });
  const server = await listen(app);
  return {
    url: `${server.url}/notify`,
    received,
    /** Resolves once `count` requests have arrived. */
    waitFor(count: number): Promise<void> {
      if (received.length >= count) return Promise.resolve();
      return new Promise<void>((resolve) => waiters.push({ count, resolve }));
    },
    close: server.close,
  };
}

let counter = 0;
/** A fresh valid out_trade_no. */
export function newOutTradeNo(prefix = 'T'): string {
  counter += 1;
  return `${prefix}${Date.now()}${counter.toString().padStart(4, '0')}`;
}
