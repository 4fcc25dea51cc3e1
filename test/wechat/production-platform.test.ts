// `npm run serve` pointed at another implementation of WeChat's server API (the simulator on a port
// of its own, behind a recorder): two production instances on one PostgreSQL database make many
// mini program codes at once with one access token between them, and every request WeChat gets
// carries the token as a query parameter and the JSON body the API documents.
import type { ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import express from 'express';
import { afterAll, describe, expect, it } from 'vitest';
import type { IssuedLinkResponse, OrderResponse } from '../../shared/api-types';
import { AdjustableClock } from '../../server/src/clock';
import { loadOrCreateSandboxWechatKeys } from '../../server/src/sandbox/simulators/sandbox-keys';
import { createWechatPlatformSimulator, h5PageUrlAt } from '../../server/src/sandbox/simulators/wechat-platform-simulator';
import { fetchBytes, PHONE_USER_AGENT, qrTextOf } from '../support/mini-program';
import { listenOnLoopback } from '../support/platform-sandbox';
import { freePort } from '../support/ports';
import { runCli, startCli, stopChild } from '../support/run-command';
import { createTestDatabase } from '../support/test-database';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'friend-pay-platform-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** One request as WeChat's side received it. */
interface Received {
  path: string;
  query: Record<string, unknown>;
  body: unknown;
}

/** Where the simulated codes lead (any H5 origin: the test only reads the QR text). */
const H5_APP_URL = 'https://pay.example.test/app';

describe('npm run serve against a separately started WeChat server API', () => {
  it('two instances on PostgreSQL fetch one access token for thirty codes, and send the token and bodies exactly as WeChat documents', async () => {
    const database = await createTestDatabase('postgres');
    const children: ChildProcess[] = [];
    const keysDir = path.join(tmp, 'wechat');
    const keys = loadOrCreateSandboxWechatKeys(keysDir);
    const merchantKeyFile = path.join(keysDir, 'merchant.pem');
    const platformKeyFile = path.join(keysDir, 'wechatpay.pem');
    fs.writeFileSync(merchantKeyFile, keys.merchant.privateKeyPem);
    fs.writeFileSync(platformKeyFile, keys.platform.publicKeyPem);

    // WeChat's side: a recorder in front of the simulator, on a port of its own.
    const received: Received[] = [];
    const app = express();
    const wechat = await listenOnLoopback(app);
    const simulator = createWechatPlatformSimulator({ clock: new AdjustableClock(), appId: keys.appId, appSecret: keys.appSecret, h5PageUrl: h5PageUrlAt(H5_APP_URL), urlLinkBase: `${wechat.url}/urllink` });
    app.use(express.text({ type: () => true }), (req, _res, next) => {
      received.push({ path: req.path, query: { ...req.query }, body: typeof req.body === 'string' ? (JSON.parse(req.body) as unknown) : undefined });
      next();
    });
    app.use(simulator.router);

    try {
      const shared = {
        HOST: '127.0.0.1',
        DATABASE_URL: database.url,
        DATA_DIR: tmp,
        LINK_SIGNING_KEYS: `k1:${crypto.randomBytes(32).toString('base64url')}`,
        SESSION_SIGNING_KEY: crypto.randomBytes(32).toString('base64url'),
        LOG_LEVEL: 'warn',
        WECHAT_APPID: keys.appId,
        WECHAT_APP_SECRET: keys.appSecret,
        WECHAT_API_BASE_URL: wechat.url,
        WECHAT_MINIPROGRAM_USERNAME: 'gh_0a1b2c3d4e5f',
        WECHAT_ENV_VERSION: 'trial',
        // Nothing is paid here: WeChat Pay is configured (production requires it) but never called.
        WECHATPAY_BASE_URL: wechat.url,
        WECHATPAY_MCHID: keys.mchId,
        WECHATPAY_MERCHANT_SERIAL: keys.merchant.serial,
        WECHATPAY_MERCHANT_PRIVATE_KEY_FILE: merchantKeyFile,
        WECHATPAY_APIV3_KEY: keys.apiV3Key,
        WECHATPAY_PUBLIC_KEY_FILE: platformKeyFile,
        WECHATPAY_PUBLIC_KEY_ID: keys.platform.publicKeyId,
      };
      const bases = (await Promise.all([freePort(), freePort()])).map((port) => `http://127.0.0.1:${port}`);
      const envOf = (base: string) => ({ ...shared, PORT: new URL(base).port, PUBLIC_BASE_URL: base, NOTIFY_URL: `${base}/v1/wechatpay/notify` });
      const instances = await Promise.all(bases.map((base) => startCli('server/src/cli/serve.ts', envOf(base), 'listening on')));
      children.push(...instances.map((instance) => instance.child));
      const [a, b] = bases as [string, string];
      const either = (i: number): string => (i % 2 === 0 ? a : b);

      const shop = JSON.parse((await runCli('server/src/cli/shop-create.ts', ['--name', 'Platform Shop'], envOf(a))).stdout) as { api_key: string };
      const auth = { authorization: `Bearer ${shop.api_key}`, 'content-type': 'application/json' };
      const post = async <T>(url: string, body: unknown): Promise<T> => {
        const response = await fetch(url, { method: 'POST', headers: auth, body: JSON.stringify(body) });
        if (response.status !== 201) throw new Error(`${url}: ${response.status} ${await response.text()}`);
        return (await response.json()) as T;
      };
      const links = await Promise.all(Array.from({ length: 30 }, async (_, i) => {
        const order = await post<OrderResponse>(`${either(i)}/v1/orders`, {
          shop_order_id: `platform-${i}`, shopper_id: 's1', amount_total: 100 + i,
          items: [{ title: 'Tea', quantity: 1, unit_price: 100 + i }], pay_deadline: new Date(Date.now() + 3600_000).toISOString(),
        });
        return post<IssuedLinkResponse>(`${either(i + 1)}/v1/orders/${order.id}/links`, { requester: { id: 's1', name: 'Lin' } });
      }));
      received.length = 0;

      // 1. Thirty first requests for thirty codes, split over both instances, all at once.
      const images = await Promise.all(links.map((link, i) => (i % 3 === 0
        ? fetchBytes(`${either(i)}/v1/links/${link.id}/qr.png`, { authorization: auth.authorization })
        : fetchBytes(`${either(i)}/p/${link.code}/qr.png`))));

      expect(images.map((image) => image.status)).toEqual(links.map(() => 200));
      expect(images.map((image) => qrTextOf(image.body))).toEqual(links.map((link) => `${H5_APP_URL}/#/pages/pay/index?scene=${encodeURIComponent(link.code)}`));
      expect(simulator.stats()).toMatchObject({ stableTokenCalls: 1, tokensIssued: 1, forcedRefreshes: 0, codesMade: 30 });
      const tokenRequests = received.filter((request) => request.path === '/cgi-bin/stable_token');
      expect(tokenRequests).toEqual([{ path: '/cgi-bin/stable_token', query: {}, body: { grant_type: 'client_credential', appid: keys.appId, secret: keys.appSecret, force_refresh: false } }]);
      const codeRequests = received.filter((request) => request.path === '/wxa/getwxacodeunlimit');
      const accessToken = codeRequests[0]?.query.access_token;
      expect(accessToken).toMatch(/^\w{20,}$/);
      expect(codeRequests.map((request) => request.query)).toEqual(links.map(() => ({ access_token: accessToken })));
      expect(new Set(codeRequests.map((request) => JSON.stringify(request.body)))).toEqual(
        new Set(links.map((link) => JSON.stringify({ scene: link.code, page: 'pages/pay/index', check_path: false, env_version: 'trial' }))),
      );

      // 2. A phone opens a link's page on the other instance: the button is the URL Link, asked for once, expiring with the link.
      const [phoneLink] = links as [IssuedLinkResponse];
      const html = await (await fetch(`${b}/p/${phoneLink.code}`, { headers: { 'user-agent': PHONE_USER_AGENT } })).text();
      const href = /<a class="open-wechat"[^>]* href="([^"]+)">/.exec(html)?.[1];
      expect(href).toMatch(new RegExp(`^${wechat.url}/urllink/\\w+$`));
      const urlLinkRequests = received.filter((request) => request.path === '/wxa/generate_urllink');
      expect(urlLinkRequests).toEqual([{
        path: '/wxa/generate_urllink',
        query: { access_token: accessToken },
        body: { path: 'pages/pay/index', query: `code=${phoneLink.code}`, expire_type: 0, expire_time: Math.floor(Date.parse(phoneLink.expires_at) / 1000), env_version: 'trial' },
      }]);
      expect(phoneLink.mini_program).toEqual({ user_name: 'gh_0a1b2c3d4e5f', path: phoneLink.share.path, webpage_url: phoneLink.url, type: 2 });

      // 3. WeChat's quota used up: a clear 503 with Retry-After from a production instance.
      simulator.faults.set({ api: 'getwxacodeunlimit', errcode: 45009, times: 1 });
      const extra = await post<IssuedLinkResponse>(`${a}/v1/orders/${(await post<OrderResponse>(`${a}/v1/orders`, {
        shop_order_id: 'platform-quota', shopper_id: 's1', amount_total: 5, items: [{ title: 'Tea', quantity: 1, unit_price: 5 }], pay_deadline: new Date(Date.now() + 3600_000).toISOString(),
      })).id}/links`, { requester: { id: 's1', name: 'Lin' } });
      const refused = await fetchBytes(`${a}/p/${extra.code}/qr.png`);
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('60');
      expect(JSON.parse(refused.body.toString())).toMatchObject({ code: 'WECHAT_QUOTA_EXCEEDED' });
      expect(simulator.stats().stableTokenCalls).toBe(1);
    } finally {
      for (const child of children) await stopChild(child);
      await wechat.close();
      await database.drop();
    }
  }, 90_000);

  it('refuses to start with a bad WECHAT_ENV_VERSION or without WECHAT_MINIPROGRAM_USERNAME, naming them (exit 1)', async () => {
    const result = await runCli('server/src/cli/serve.ts', [], { PORT: '0', DATABASE_URL: `sqlite:${tmp}/serve.sqlite`, WECHAT_ENV_VERSION: 'beta', WECHAT_QRCODE_VERIFY_FILE: 'no-colon.txt' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('WECHAT_ENV_VERSION: must be one of release, trial, develop');
    expect(result.stderr).toContain('WECHAT_QRCODE_VERIFY_FILE: must be "<name>.txt:<content>"');
    expect(result.stderr).toContain('WECHAT_MINIPROGRAM_USERNAME: required in production');
  });
});
