import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import type { CreatePaymentResponse, IssuedLinkResponse, OrderResponse, SessionResponse } from '../../shared/api-types';
import { verifyWebhook } from '../../server/src/webhooks/webhook-signature';
import { eventually, startWebhookReceiver } from '../support/friends';
import { freePort } from '../support/ports';
import { runCli, startCli, stopChild } from '../support/run-command';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'friend-pay-crash-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));


async function json<T>(response: Response): Promise<T> {
  const text = await response.text();
  if (!response.ok) throw new Error(`${response.status} ${text}`);
  return JSON.parse(text) as T;
}

describe('a server killed between prepay and notification', () => {
  it('completes the payment after a restart and delivers the webhook', async () => {
    // WeChat's side runs in a process of its own, as it would: killing our server must not kill it.
    const simulators = await startCli('server/src/sandbox/simulators/simulators-cli.ts', {}, 'settings:', 20_000, ['--port', '0', '--data', path.join(tmp, 'wechat'), '--time-factor', '0.01']);
    const receiver = await startWebhookReceiver();
    try {
      const settings = JSON.parse(/settings: (.*)/.exec(simulators.stdout())![1]) as Record<string, string>;
      const simulatorUrl = settings.WECHATPAY_BASE_URL;
      const port = await freePort();
      const base = `http://127.0.0.1:${port}`;
      const env = {
        ...settings,
        PORT: String(port),
        HOST: '127.0.0.1',
        PUBLIC_BASE_URL: base,
        NOTIFY_URL: `${base}/v1/wechatpay/notify`,
        DATABASE_URL: `sqlite:${path.join(tmp, 'friend-pay.sqlite')}`,
        DATA_DIR: tmp,
        LINK_SIGNING_KEYS: `k1:${crypto.randomBytes(32).toString('base64url')}`,
        SESSION_SIGNING_KEY: crypto.randomBytes(32).toString('base64url'),
        LOG_LEVEL: 'warn',
        // The shop's webhook receiver runs on loopback, which production refuses by default.
        WEBHOOK_TARGETS: 'local',
      };
      const shop = JSON.parse((await runCli('server/src/cli/shop-create.ts', ['--name', 'Crash Shop', '--webhook-url', receiver.url], env)).stdout) as { api_key: string; webhook_secret: string };
      let server = await startCli('server/src/cli/serve.ts', env, 'listening on');
      for (const sandboxPath of ['/sandbox/demo', '/sandbox/clock', '/sandbox/wx/login', '/sandbox/wechatpay/pay', '/sandbox/faults']) {
        expect((await fetch(`${base}${sandboxPath}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status, sandboxPath).toBe(404);
      }
      const auth = { authorization: `Bearer ${shop.api_key}`, 'content-type': 'application/json' };
      const order = await json<OrderResponse>(await fetch(`${base}/v1/orders`, { method: 'POST', headers: auth, body: JSON.stringify({
        shop_order_id: 'crash-1', shopper_id: 's1', amount_total: 660, items: [{ title: 'Tea', quantity: 1, unit_price: 660 }],
        pay_deadline: new Date(Date.now() + 3600_000).toISOString(),
      }) }));
      const link = await json<IssuedLinkResponse>(await fetch(`${base}/v1/orders/${order.id}/links`, { method: 'POST', headers: auth, body: JSON.stringify({ requester: { id: 's1', name: 'Lin' } }) }));
      const { code } = await json<{ code: string }>(await fetch(`${simulatorUrl}/sandbox/wx/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ openid: 'o_crash_friend' }) }));
      const session = await json<SessionResponse>(await fetch(`${base}/v1/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code }) }));
      const created = await json<CreatePaymentResponse>(await fetch(`${base}/v1/pay/${link.code}/payments`, {
        method: 'POST', headers: { authorization: `Bearer ${session.session_token}`, 'idempotency-key': 'crash-pay-1', 'content-type': 'application/json' }, body: '{}',
      }));
      expect(created.sandbox).toBeUndefined(); // production mode: the pay sheet is WeChat's
      const prepayId = created.request_payment.package.replace('prepay_id=', '');

      // The friend pays; WeChat's notification is on its way when our server dies.
      await json(await fetch(`${simulatorUrl}/sandbox/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ notifications: { delay_ms: 300 } }) }));
      await json(await fetch(`${simulatorUrl}/sandbox/wechatpay/pay`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ prepay_id: prepayId, openid: 'o_crash_friend', outcome: 'success' }) }));
      server.child.kill('SIGKILL');
      await new Promise((resolve) => server.child.once('exit', resolve));
      // What the dead server had written: the payment still open, the money not yet seen.
      const db = new Database(path.join(tmp, 'friend-pay.sqlite'), { readonly: true });
      expect(db.prepare('SELECT status FROM payments WHERE id = ?').get(created.payment.id)).toEqual({ status: 'created' });
      db.close();
      await new Promise((resolve) => setTimeout(resolve, 600)); // the first delivery attempt meets a dead port

      server = await startCli('server/src/cli/serve.ts', env, 'listening on');
      try {
        const paid = await eventually(async () => {
          const current = await json<OrderResponse>(await fetch(`${base}/v1/orders/${order.id}`, { headers: auth }));
          return current.status === 'paid' ? current : undefined;
        }, 20_000, 'the order to be paid after the restart');
        expect(paid.amount_paid).toBe(660);
        const delivery = await eventually(() => Promise.resolve(receiver.received.find((r) => r.body.includes('"link.paid"'))), 20_000, 'the link.paid webhook');
        expect(verifyWebhook(shop.webhook_secret, delivery.body, delivery.headers['friendpay-signature'] as string, Math.floor(Date.now() / 1000))).toBe(true);
        expect(JSON.parse(delivery.body)).toMatchObject({ type: 'link.paid', data: { link_id: link.id, amount_paid: 660 } });
      } finally {
        await stopChild(server.child);
      }
    } finally {
      await receiver.close();
      await stopChild(simulators.child);
    }
  }, 60_000);
});
