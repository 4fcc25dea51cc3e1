import type { ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CreatePaymentResponse, IssuedLinkResponse, OrderResponse, SessionResponse } from '../../shared/api-types';
import { outTradeNoFor } from '../../server/src/payments/payment-rules';
import { loadOrCreateSandboxWechatKeys } from '../../server/src/sandbox/simulators/sandbox-keys';
import { verifyWebhook } from '../../server/src/webhooks/webhook-signature';
import { freePort } from '../support/ports';
import { eventually, startWebhookReceiver } from '../support/friends';
import { paymentNotification } from '../support/notifications';
import { runCli, startCli, stopChild } from '../support/run-command';
import { createTestDatabase, postgresAdmin } from '../support/test-database';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'friend-pay-two-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function post<T>(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: T }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const text = await response.text();
  return { status: response.status, json: (text === '' ? undefined : JSON.parse(text)) as T };
}

async function ok<T>(answer: Promise<{ status: number; json: T }>): Promise<T> {
  const { status, json } = await answer;
  if (status < 200 || status > 299) throw new Error(`${status} ${JSON.stringify(json)}`);
  return json;
}

describe('two server instances on one PostgreSQL database', () => {
  it('give every outcome exactly once: one open payment among racing friends, a duplicated notification applied once, each webhook delivered once', async () => {
    const database = await createTestDatabase('postgres');
    const receiver = await startWebhookReceiver();
    const children: ChildProcess[] = [];
    /** Starts a process and keeps it to stop at the end, whatever happens to the others. */
    const start = async (...args: Parameters<typeof startCli>) => {
      const started = await startCli(...args);
      children.push(started.child);
      return started;
    };
    try {
      // WeChat's side runs in a process of its own, shared by both instances as WeChat would be.
      const wechatDir = path.join(tmp, 'wechat');
      const simulators = await start('server/src/sandbox/simulators/simulators-cli.ts', {}, 'settings:', 20_000, ['--port', '0', '--data', wechatDir, '--time-factor', '0.01']);
      const settings = JSON.parse(/settings: (.*)/.exec(simulators.stdout())![1]) as Record<string, string>;
      const simulatorUrl = settings.WECHATPAY_BASE_URL;
      const keys = loadOrCreateSandboxWechatKeys(wechatDir);
      const shared = {
        ...settings,
        HOST: '127.0.0.1',
        DATABASE_URL: database.url,
        DATA_DIR: tmp,
        // The instances of one deployment share their secrets: a link or session from one works on the other.
        LINK_SIGNING_KEYS: `k1:${crypto.randomBytes(32).toString('base64url')}`,
        SESSION_SIGNING_KEY: crypto.randomBytes(32).toString('base64url'),
        SWEEP_INTERVAL_MS: '200',
        // The shop's webhook receiver runs on loopback, which production refuses by default.
        WEBHOOK_TARGETS: 'local',
        LOG_LEVEL: 'warn',
      };
      const bases = await Promise.all([freePort(), freePort()]).then((ports) => ports.map((port) => `http://127.0.0.1:${port}`));
      const envOf = (base: string) => ({ ...shared, PORT: new URL(base).port, PUBLIC_BASE_URL: base, NOTIFY_URL: `${base}/v1/wechatpay/notify` });
      // Started together, so both run the migrations at the same moment.
      const instances = await Promise.all(bases.map((base) => start('server/src/cli/serve.ts', envOf(base), 'listening on')));
      const [a, b] = bases as [string, string];
      const either = (i: number): string => (i % 2 === 0 ? a : b);

      const shop = JSON.parse((await runCli('server/src/cli/shop-create.ts', ['--name', 'Two Shop', '--webhook-url', receiver.url], envOf(a))).stdout) as { id: string; api_key: string; webhook_secret: string };
      const auth = { authorization: `Bearer ${shop.api_key}` };
      const newOrder = (amount: number, payDeadline: number, via: string) => ok(post<OrderResponse>(`${via}/v1/orders`, {
        shop_order_id: `two-${crypto.randomBytes(4).toString('hex')}`, shopper_id: 's1', amount_total: amount,
        items: [{ title: 'Tea', quantity: 1, unit_price: amount }], pay_deadline: new Date(payDeadline).toISOString(),
      }, auth));
      const newLink = (orderId: string, via: string) => ok(post<IssuedLinkResponse>(`${via}/v1/orders/${orderId}/links`, { requester: { id: 's1', name: 'Lin' } }, auth));

      // 1. Sixteen friends race for one single-mode link through both instances.
      const order = await newOrder(880, Date.now() + 3600_000, a);
      const link = await newLink(order.id, b);
      const friends = await Promise.all(Array.from({ length: 16 }, async (_, i) => {
        const openid = `o_two_${i}`;
        const { code } = await ok(post<{ code: string }>(`${simulatorUrl}/sandbox/wx/login`, { openid }));
        const session = await ok(post<SessionResponse>(`${either(i)}/v1/sessions`, { code }));
        return { openid, token: session.session_token };
      }));
      const answers = await Promise.all(friends.map((friend, i) => post<CreatePaymentResponse & { code?: string }>(
        `${either(i + 1)}/v1/pay/${link.code}/payments`, {}, { authorization: `Bearer ${friend.token}`, 'idempotency-key': `two-pay-${i}` },
      )));
      expect(answers.map((answer) => answer.status).sort()).toEqual([201, ...Array<number>(15).fill(409)]);
      for (const answer of answers.filter((answer) => answer.status === 409)) expect(answer.json.code).toBe('LINK_BUSY');
      const admin = await postgresAdmin();
      const table = (name: string): string => `"${database.schema}".${name}`;
      const open = await admin.query<{ id: string }>(`SELECT id FROM ${table('payments')} WHERE status = 'created'`);
      expect(open.rows).toHaveLength(1);

      // 2. The winner pays; WeChat's notification (one event id, the very same signed bytes)
      // reaches both instances four times each, all at once.
      const winnerIndex = answers.findIndex((answer) => answer.status === 201);
      const created = answers[winnerIndex].json;
      const winner = friends[winnerIndex];
      expect(created.payment.id).toBe(open.rows[0].id);
      await ok(post(`${simulatorUrl}/sandbox/faults`, { notifications: { drop: true } }));
      await ok(post(`${simulatorUrl}/sandbox/wechatpay/pay`, { prepay_id: created.request_payment.package.replace('prepay_id=', ''), openid: winner.openid, outcome: 'success' }));
      const notification = paymentNotification(keys, { outTradeNo: outTradeNoFor(created.payment.id), transactionId: '4200000000000777', amount: 880, openid: winner.openid, successTime: Date.now() }, { eventId: 'evt-two-instances-1' });
      const deliveries = await Promise.all(Array.from({ length: 8 }, (_, i) =>
        fetch(`${either(i)}/v1/wechatpay/notify`, { method: 'POST', headers: notification.headers, body: notification.body }).then((response) => response.status)));
      expect(deliveries).toEqual(Array<number>(8).fill(204));
      for (const base of bases) {
        const seen = (await (await fetch(`${base}/v1/orders/${order.id}`, { headers: auth })).json()) as OrderResponse;
        expect(seen).toMatchObject({ status: 'paid', amount_paid: 880, amount_refunded: 0 });
        expect(seen.refunds).toEqual([]);
      }
      const counts = await admin.query<{ paid_events: string; settled_by: string; refunds: string }>(
        `SELECT (SELECT count(*) FROM ${table('events')} WHERE type = 'link.paid') AS paid_events,
                (SELECT notification_id FROM ${table('payments')} WHERE id = $1) AS settled_by,
                (SELECT count(*) FROM ${table('refunds')}) AS refunds`,
        [created.payment.id],
      );
      expect(counts.rows[0]).toEqual({ paid_events: '1', settled_by: 'evt-two-instances-1', refunds: '0' });

      // 3. While both instances' sweepers, reconcilers and webhook deliverers run: a friend pays
      // and WeChat's notification is lost (both reconcilers find the payment by asking WeChat),
      // links fall due, and some are revoked. Each change is recorded once, each webhook arrives once.
      const quietOrder = await newOrder(500, Date.now() + 3600_000, b);
      const quietLink = await newLink(quietOrder.id, a);
      const { code: quietCode } = await ok(post<{ code: string }>(`${simulatorUrl}/sandbox/wx/login`, { openid: 'o_two_quiet' }));
      const quietSession = await ok(post<SessionResponse>(`${a}/v1/sessions`, { code: quietCode }));
      const quiet = await ok(post<CreatePaymentResponse>(`${b}/v1/pay/${quietLink.code}/payments`, {}, { authorization: `Bearer ${quietSession.session_token}`, 'idempotency-key': 'two-quiet' }));
      await ok(post(`${simulatorUrl}/sandbox/wechatpay/pay`, { prepay_id: quiet.request_payment.package.replace('prepay_id=', ''), openid: 'o_two_quiet', outcome: 'success' }));
      // A link's expiry is its order's deadline cut to the second: links expire half a second
      // before their orders close, so each link's end is its own expiry, never its order's closing.
      const soon = (): number => Math.ceil((Date.now() + 3000) / 1000) * 1000 + 500;
      const dueOrders = await Promise.all(Array.from({ length: 6 }, (_, i) => newOrder(100 + i, soon(), either(i))));
      const dueLinks = await Promise.all(dueOrders.map((each, i) => newLink(each.id, either(i + 1))));
      const revoked = await Promise.all(Array.from({ length: 2 }, async (_, i) => newLink((await newOrder(300 + i, Date.now() + 3600_000, either(i))).id, either(i))));
      for (const [i, each] of revoked.entries()) await ok(post(`${either(i + 1)}/v1/links/${each.id}/revoke`, {}, auth));
      const events = await eventually(async () => {
        const { rows } = await admin.query<{ id: string; type: string; link_id: string; delivered: boolean }>(
          `SELECT id, type, payload_json::jsonb ->> 'link_id' AS link_id, delivered_at IS NOT NULL AS delivered FROM ${table('events')}`,
        );
        return rows.length === 2 + dueLinks.length + revoked.length && rows.every((row) => row.delivered) ? rows : undefined;
      }, 30_000, 'every event to be written and delivered');
      const expiredLinks = events.filter((event) => event.type === 'link.expired').map((event) => event.link_id).sort();
      expect(expiredLinks).toEqual(dueLinks.map((each) => each.id).sort());
      expect(events.filter((event) => event.type === 'link.revoked').map((event) => event.link_id).sort()).toEqual(revoked.map((each) => each.id).sort());
      expect(events.filter((event) => event.type === 'link.paid').map((event) => event.link_id).sort()).toEqual([link.id, quietLink.id].sort());
      const quietNow = (await (await fetch(`${b}/v1/orders/${quietOrder.id}`, { headers: auth })).json()) as OrderResponse;
      expect(quietNow).toMatchObject({ status: 'paid', amount_paid: 500, amount_refunded: 0 });

      const closed = await eventually(async () => {
        const { rows } = await admin.query<{ status: string }>(`SELECT status FROM ${table('orders')} WHERE id = ANY($1::text[])`, [dueOrders.map((each) => each.id)]);
        return rows.every((row) => row.status === 'closed') ? rows : undefined;
      }, 10_000, 'the overdue orders to close');
      expect(closed).toHaveLength(dueLinks.length);

      // Delivered means the receiver answered; a second deliverer's duplicate, had one claimed the
      // same event, would be on its way by now: give it a deliverer round to land.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const received = receiver.received.map((delivery) => JSON.parse(delivery.body) as { id: string; type: string });
      expect(received.map((event) => event.id).sort()).toEqual(events.map((event) => event.id).sort());
      for (const delivery of receiver.received) {
        expect(verifyWebhook(shop.webhook_secret, delivery.body, delivery.headers['friendpay-signature'] as string, Math.floor(Date.now() / 1000))).toBe(true);
      }
      for (const instance of instances) expect(instance.stderr(), 'an instance logged an error').not.toMatch(/"level":(50|60)/);
    } finally {
      await Promise.all(children.map((child) => stopChild(child)));
      await receiver.close();
      await database.drop();
    }
  }, 60_000);
});
