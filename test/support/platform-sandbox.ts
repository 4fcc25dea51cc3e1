// The WeChat server-API simulator on a loopback port, mounted where the server will mount it,
// with clients pointed at it over real HTTP.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { AdjustableClock } from '../../server/src/clock';
import { createWechatPlatformSimulator, h5PageUrlAt, type WechatPlatformSimulator } from '../../server/src/sandbox/simulators/wechat-platform-simulator';
import type { AccessTokenStore } from '../../server/src/wechat/platform/access-token-manager';
import { InMemoryAccessTokenStore } from '../../server/src/wechat/platform/memory-access-token-store';
import { createWechatPlatformClient, type WechatPlatformClient, type WechatPlatformClientOptions } from '../../server/src/wechat/platform/platform-client';

export const PLATFORM_APP_ID = 'wx5a11dbox0000platf';
export const PLATFORM_APP_SECRET = 'sandbox-platform-secret-0123456789';
/** Where the frozen test clock starts: 12:00 China time, so daily quotas reset in 12 hours. */
export const PLATFORM_TEST_EPOCH_MS = Date.UTC(2026, 11, 2, 4, 0, 0);

/** A running simulator and what a test needs around it. */
export interface PlatformSandbox {
  /** The server's own base URL. */
  url: string;
  /** What `WECHAT_API_BASE_URL` would be. */
  apiBaseUrl: string;
  /** Where the H5 build would be served; codes and URL Links lead under it. */
  appBaseUrl: string;
  clock: AdjustableClock;
  simulator: WechatPlatformSimulator;
  /** A client against the simulator; each gets its own token store unless one is given. */
  client(overrides?: Partial<Pick<WechatPlatformClientOptions, 'tokenStore' | 'appId' | 'appSecret' | 'timeoutMs'>>): WechatPlatformClient;
  /** POSTs a JSON body to a simulator path and returns the raw answer. */
  post(path: string, body: unknown, accessToken?: string): Promise<globalThis.Response>;
  close(): Promise<void>;
}

/** Starts an HTTP server for `app` on a loopback port. */
export async function listenOnLoopback(app: http.RequestListener): Promise<{ url: string; close: () => Promise<void> }> {
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

/** Mounts the simulator at `/sandbox/wechat-api` and its URL Links at `/sandbox/urllink`. */
export async function startPlatformSandbox(): Promise<PlatformSandbox> {
  // Frozen unless advanced, so expiries and expires_in are exact.
  const clock = new AdjustableClock({ now: () => PLATFORM_TEST_EPOCH_MS });
  const app = express();
  // Routes are added after listening: the URL Link base must name the port.
  const server = await listenOnLoopback(app);
  const appBaseUrl = `${server.url}/app`;
  const simulator = createWechatPlatformSimulator({
    clock,
    appId: PLATFORM_APP_ID,
    appSecret: PLATFORM_APP_SECRET,
    h5PageUrl: h5PageUrlAt(appBaseUrl),
    urlLinkBase: `${server.url}/sandbox/urllink`,
  });
  app.use('/sandbox/wechat-api', simulator.router);
  app.use('/sandbox/urllink', simulator.urlLinkRouter);
  const apiBaseUrl = `${server.url}/sandbox/wechat-api`;
  const clients: WechatPlatformClient[] = [];

  return {
    url: server.url,
    apiBaseUrl,
    appBaseUrl,
    clock,
    simulator,
    client(overrides = {}) {
      const tokenStore: AccessTokenStore = overrides.tokenStore ?? new InMemoryAccessTokenStore();
      const client = createWechatPlatformClient({ baseUrl: apiBaseUrl, appId: PLATFORM_APP_ID, appSecret: PLATFORM_APP_SECRET, clock, ...overrides, tokenStore });
      clients.push(client);
      return client;
    },
    post(path, body, accessToken) {
      const query = accessToken === undefined ? '' : `?access_token=${encodeURIComponent(accessToken)}`;
      return fetch(`${apiBaseUrl}${path}${query}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
    },
    async close() {
      for (const client of clients) client.close();
      await server.close();
    },
  };
}

/** The text of the QR code in a PNG, or undefined when none is found. */
export function decodeQrPng(png: Buffer): string | undefined {
  const image = PNG.sync.read(png);
  return jsQR(new Uint8ClampedArray(image.data), image.width, image.height)?.data;
}
