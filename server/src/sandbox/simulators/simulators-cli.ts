/**
 * `npm run sandbox:wechat -- [--port N] [--data DIR] [--time-factor F] [--app-url URL]`: the
 * WeChat Pay, login and server-API (codes, URL Links) simulators (and those of live status in the chat: share cards, subscribe messages) as a process of their own, so a
 * Friend Pay server (sandbox or `npm run serve`) can be pointed at them through WECHATPAY_* /
 * WECHAT_* like at any other implementation of the protocol, and restarted or killed without
 * losing WeChat's side of the ledger. Prints the settings to use. `--app-url` is where the H5
 * build is served: what simulated codes and URL Links open.
 */
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { parseArgs } from 'node:util';
import express from 'express';
import { AdjustableClock } from '../../clock';
import { createExpressServer } from '../../express-server';
import { createLogger } from '../../logging/logger';
import { loadOrCreateSandboxWechatKeys, sandboxMiniProgramUserName } from './sandbox-keys';
import { createSandboxWechatRoutes } from './sandbox-wechat-routes';
import { createWechatLoginSimulator } from './wechat-login-simulator';
import { createWechatPaySimulator } from './wechatpay/simulator';
import { createWechatMessagesSimulator, SANDBOX_TEMPLATES } from './wechat-messages-simulator';
import { createWechatPlatformSimulator, h5PageUrlAt, type WechatPlatformSimulator } from './wechat-platform-simulator';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '3100' },
      data: { type: 'string', default: './data/wechat-simulators' },
      'time-factor': { type: 'string', default: '1' },
      'app-url': { type: 'string', default: 'http://127.0.0.1:3000/app' },
    },
  });
  const port = Number(values.port);
  const timeFactor = Number(values['time-factor']);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error('--port must be a port number');
  if (!(timeFactor > 0 && timeFactor <= 1)) throw new Error('--time-factor must be in (0, 1]');
  const appUrl = values['app-url'];
  if (!/^https?:\/\/\S+$/.test(appUrl)) throw new Error('--app-url must be an http(s) URL');
  const dataDir = path.resolve(values.data);
  const keys = loadOrCreateSandboxWechatKeys(dataDir);
  // The PEM files the Friend Pay configuration points at.
  const merchantKeyFile = path.join(dataDir, 'merchant-private-key.pem');
  const platformKeyFile = path.join(dataDir, 'wechatpay-public-key.pem');
  fs.writeFileSync(merchantKeyFile, keys.merchant.privateKeyPem, { mode: 0o600 });
  fs.writeFileSync(platformKeyFile, keys.platform.publicKeyPem);

  const clock = new AdjustableClock();
  const logger = createLogger('warn');
  const paySimulator = createWechatPaySimulator({ clock, keys, timeFactor, logger });
  const loginSimulator = createWechatLoginSimulator({ clock, appId: keys.appId, appSecret: keys.appSecret });
  // WeChat's server API (access tokens, and the message APIs of live status in the chat): the
  // platform simulator needs this process's URL, known only once it listens.
  const platform: { simulator?: WechatPlatformSimulator } = {};
  const messagesSimulator = createWechatMessagesSimulator({
    clock,
    appId: keys.appId,
    accessTokenProblem: (token) => (platform.simulator === undefined ? 40001 : platform.simulator.accessTokenProblem(token)),
    sessionKeyOf: (openid) => loginSimulator.sessionKeyOf(openid),
  });
  const app = express();
  app.set('case sensitive routing', true);
  const server = createExpressServer(app);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // Routes are added after listening: the URL Links name this process's port.
  const platformSimulator = createWechatPlatformSimulator({ clock, appId: keys.appId, appSecret: keys.appSecret, h5PageUrl: h5PageUrlAt(appUrl), urlLinkBase: `${url}/sandbox/urllink` });
  platform.simulator = platformSimulator;
  // The Pay simulator answers every path it does not know, as WeChat does: mount it last.
  app.use('/sandbox/urllink', platformSimulator.urlLinkRouter);
  app.use('/sandbox', messagesSimulator.qaRouter);
  app.use('/sandbox', createSandboxWechatRoutes({ paySimulator, loginSimulator, platformSimulator }));
  app.use(loginSimulator.router);
  app.use(platformSimulator.router);
  app.use(messagesSimulator.router);
  app.use(paySimulator.router);
  const env = {
    WECHATPAY_BASE_URL: url,
    WECHATPAY_MCHID: keys.mchId,
    WECHATPAY_MERCHANT_SERIAL: keys.merchant.serial,
    WECHATPAY_MERCHANT_PRIVATE_KEY_FILE: merchantKeyFile,
    WECHATPAY_APIV3_KEY: keys.apiV3Key,
    WECHATPAY_PUBLIC_KEY_FILE: platformKeyFile,
    WECHATPAY_PUBLIC_KEY_ID: keys.platform.publicKeyId,
    WECHAT_APPID: keys.appId,
    WECHAT_APP_SECRET: keys.appSecret,
    WECHAT_API_BASE_URL: url,
    WECHAT_MINIPROGRAM_USERNAME: sandboxMiniProgramUserName(keys),
    WECHAT_TEMPLATE_FRIEND_PAID: SANDBOX_TEMPLATES.friendPaid,
    WECHAT_TEMPLATE_LINK_EXPIRING: SANDBOX_TEMPLATES.linkExpiring,
    WECHAT_TEMPLATE_REFUND: SANDBOX_TEMPLATES.refund,
  };
  process.stdout.write(`WeChat simulators listening on ${url} (QA routes under ${url}/sandbox)\n`);
  process.stdout.write(`settings: ${JSON.stringify(env)}\n`);
  const stop = () => {
    paySimulator.close();
    server.close(() => process.exit(0));
    server.closeAllConnections();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`sandbox:wechat: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
