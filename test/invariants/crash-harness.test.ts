import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { startWebhookReceiver } from '../support/friends';
import { freePort } from '../support/ports';
import { runCli, startCli, stopChild } from '../support/run-command';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'friend-pay-crashes-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));


interface SimulatedTrade { outTradeNo: string; payerOpenid: string; amountTotal: number; tradeState: string }
interface SimulatedRefund { outRefundNo: string; outTradeNo: string; amountRefund: number; status: string }

describe('crash harness', () => {
  it('keeps our ledger and WeChat Pay\'s in exact agreement through repeated SIGKILLs', async () => {
    const simulators = await startCli('server/src/sandbox/simulators/simulators-cli.ts', {}, 'settings:', 20_000, ['--port', '0', '--data', path.join(tmp, 'wechat'), '--time-factor', '0.005']);
    const receiver = await startWebhookReceiver();
    let server: Awaited<ReturnType<typeof startCli>> | undefined;
    let driving = true;
    let stopped = false;
    /** While set, the killer waits (the server catches up with WeChat: a server that lives half a second never reconciles). */
    let paused = false;
    let killer: Promise<void> = Promise.resolve();
    try {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const settings = JSON.parse(/settings: (.*)/.exec(simulators.stdout())![1]) as Record<string, string>;
    const wechat = settings.WECHATPAY_BASE_URL;
    const dbFile = path.join(tmp, 'friend-pay.sqlite');
    const env = {
      ...settings, PORT: String(port), HOST: '127.0.0.1', PUBLIC_BASE_URL: base, NOTIFY_URL: `${base}/v1/wechatpay/notify`,
      DATABASE_URL: `sqlite:${dbFile}`, DATA_DIR: tmp, LOG_LEVEL: 'error', WEBHOOK_TARGETS: 'local', // the receiver is on loopback
      LINK_SIGNING_KEYS: `k1:${crypto.randomBytes(32).toString('base64url')}`, SESSION_SIGNING_KEY: crypto.randomBytes(32).toString('base64url'),
    };
    const shop = JSON.parse((await runCli('server/src/cli/shop-create.ts', ['--name', 'Crash Shop', '--webhook-url', receiver.url], env)).stdout) as { api_key: string };
    server = await startCli('server/src/cli/serve.ts', env, 'listening on');
    const KILLS = 5;
    /** Kills after the refunds were asked for: while they are sent, settled and reported. */
    const AFTER_SALE_KILLS = 3;
    let crashes = 0;
    let afterSaleFrom = Number.NEGATIVE_INFINITY;

    // Kill the server at random moments while the friends pay (and after, until it has died KILLS times), and start it again.
    killer = (async () => {
      while (!stopped && (driving || crashes < KILLS || crashes < afterSaleFrom + AFTER_SALE_KILLS)) {
        await new Promise((resolve) => setTimeout(resolve, 150 + Math.random() * 600));
        if (stopped) break;
        if (paused) continue;
        const victim = server.child;
        victim.kill('SIGKILL');
        await new Promise((resolve) => victim.once('close', resolve));
        crashes += 1;
        server = await startCli('server/src/cli/serve.ts', env, 'listening on');
      }
    })();

    /**
     * A client that retries like a phone on a bad network: same request, same Idempotency-Key. A
     * request killed mid-way leaves its key claimed until its hold lapses (10 s): keep at it.
     */
    async function call<T>(method: string, url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: T }> {
      const until = Date.now() + 75_000;
      while (Date.now() < until) {
        try {
          const response = await fetch(url, { method, headers: { 'content-type': 'application/json', ...headers }, body: body === undefined ? undefined : JSON.stringify(body) });
          const text = await response.text();
          if (response.status >= 500 || (response.status === 409 && text.includes('IDEMPOTENCY_IN_PROGRESS'))) throw new Error(`retryable ${response.status}`);
          return { status: response.status, json: JSON.parse(text) as T };
        } catch {
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
      throw new Error(`${method} ${url} never succeeded`);
    }

    const auth = { authorization: `Bearer ${shop.api_key}` };
    let payments = 0;
    const orders: string[] = [];
    for (let i = 0; i < 6; i++) {
      const group = i % 2 === 1;
      const order = await call<{ id: string }>('POST', `${base}/v1/orders`, { shop_order_id: `crash-${i}`, shopper_id: 's', amount_total: 900, items: [{ title: 'x', quantity: 1, unit_price: 900 }], pay_deadline: new Date(Date.now() + 3600_000).toISOString() }, { ...auth, 'idempotency-key': `order-${i}` });
      orders.push(order.json.id);
      const link = await call<{ code: string }>('POST', `${base}/v1/orders/${order.json.id}/links`, { requester: { id: 's', name: 'Lin' }, mode: group ? 'group' : 'single' }, { ...auth, 'idempotency-key': `link-${i}` });
      // Order 3 is paid in part and then cancelled: what was paid must go back to its payer.
      const contributions = i === 3 ? [[0, 400]] : group ? [[0, 400], [1, 500]] : [[0, undefined]];
      for (const [f, amount] of contributions as [number, number | undefined][]) {
        const openid = `o_crash_${i}_${f}`;
        // A login code is single use: if the server died after spending it, log in again, as the
        // mini program would.
        let session: { status: number; json: { session_token: string } };
        do {
          const { json: login } = await call<{ code: string }>('POST', `${wechat}/sandbox/wx/login`, { openid });
          session = await call<{ session_token: string }>('POST', `${base}/v1/sessions`, { code: login.code });
        } while (session.status === 401);
        const created = await call<{ request_payment: { package: string } }>('POST', `${base}/v1/pay/${link.json.code}/payments`, amount === undefined ? {} : { amount }, { authorization: `Bearer ${session.json.session_token}`, 'idempotency-key': `crash-pay-${i}-${f}` });
        expect(created.status, JSON.stringify(created.json)).toBe(201);
        await call('POST', `${wechat}/sandbox/wechatpay/pay`, { prepay_id: created.json.request_payment.package.replace('prepay_id=', ''), openid, outcome: 'success' });
        payments += 1;
      }
      if (i === 3) {
        for (;;) {
          const current = await call<{ amount_paid: number }>('GET', `${base}/v1/orders/${order.json.id}`, undefined, auth);
          if (current.json.amount_paid === 400) break;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        const cancelled = await call<{ status: string }>('POST', `${base}/v1/orders/${order.json.id}/cancel`, {}, { ...auth, 'idempotency-key': `cancel-${i}` });
        expect(cancelled.json.status).toBe('cancelled');
      }
    }
    // After payment, money goes back while the server keeps dying: order 4 (paid) is cancelled,
    // 0 and 1 are partly refunded (1 split over its two friends), 5 refunded in full. All at once,
    // so a request killed mid-way (its key held for 10 s) does not hold up the others.
    const afterSale: Record<number, number | 'cancel'> = { 0: 300, 1: 450, 4: 'cancel', 5: 900 };
    paused = true;
    for (const index of Object.keys(afterSale)) {
      for (;;) {
        const current = await call<{ amount_paid: number }>('GET', `${base}/v1/orders/${orders[Number(index)]}`, undefined, auth);
        if (current.json.amount_paid === 900) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    paused = false;
    afterSaleFrom = crashes;
    await Promise.all(Object.entries(afterSale).map(async ([index, what]) => {
      const orderId = orders[Number(index)];
      if (what === 'cancel') {
        const cancelled = await call<{ status: string }>('POST', `${base}/v1/orders/${orderId}/cancel`, {}, { ...auth, 'idempotency-key': `cancel-${index}` });
        expect(cancelled.json.status).toBe('cancelled');
        return;
      }
      const refunded = await call<{ refunds: { amount: number }[] }>('POST', `${base}/v1/orders/${orderId}/refunds`, { amount: what, reason: 'crash test' }, { ...auth, 'idempotency-key': `refund-${index}` });
      expect(refunded.status, JSON.stringify(refunded.json)).toBe(201);
      expect(refunded.json.refunds.reduce((sum, r) => sum + r.amount, 0)).toBe(what);
    }));
    driving = false;
    await killer;

      // Converge: WeChat retries notifications, the reconciler queries, refunds settle, webhooks go out.
      const deadline = Date.now() + 90_000;
      let ours: { out_trade_no: string; status: string; paid_at: number | null; payer_openid: string; amount: number }[] = [];
      let ledger: { transactions: SimulatedTrade[]; refunds: SimulatedRefund[] } = { transactions: [], refunds: [] };
      let refunds: { out_refund_no: string; status: string; amount: number; payer_openid: string }[] = [];
      for (;;) {
        ledger = (await call<typeof ledger>('GET', `${wechat}/sandbox/wechatpay/ledger`, undefined)).json;
        const db = new Database(dbFile, { readonly: true });
        ours = db.prepare('SELECT out_trade_no, status, paid_at, payer_openid, amount FROM payments').all() as typeof ours;
        refunds = db.prepare('SELECT out_refund_no, status, amount, payer_openid FROM refunds').all() as typeof refunds;
        const undelivered = (db.prepare('SELECT COUNT(*) AS n FROM events WHERE delivered_at IS NULL').get() as { n: number }).n;
        db.close();
        const paidAtWechat = ledger.transactions.filter((t) => t.tradeState === 'SUCCESS' || t.tradeState === 'REFUND');
        const agreed = paidAtWechat.every((t) => ours.some((p) => p.out_trade_no === t.outTradeNo && p.paid_at !== null))
          && refunds.every((r) => r.status === 'succeeded') && undelivered === 0 && ours.every((p) => p.status !== 'created');
        if (agreed) break;
        if (Date.now() > deadline) throw new Error(`no agreement after 90 s: ${JSON.stringify({ paidAtWechat: paidAtWechat.length, ours, refunds, undelivered })}`);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      // Every transaction WeChat Pay holds as paid is paid or refunded in our store, and nothing else is.
      const paidAtWechat = new Set(ledger.transactions.filter((t) => t.tradeState === 'SUCCESS' || t.tradeState === 'REFUND').map((t) => t.outTradeNo));
      expect(new Set(ours.filter((p) => p.paid_at !== null).map((p) => p.out_trade_no))).toEqual(paidAtWechat);
      expect(paidAtWechat.size).toBe(payments);
      // Every refund accounted: the same refunds, amounts and payers on both sides.
      expect(ledger.refunds.map((r) => `${r.outRefundNo}:${r.amountRefund}`).sort()).toEqual(refunds.map((r) => `${r.out_refund_no}:${r.amount}`).sort());
      for (const refund of ledger.refunds) {
        const trade = ledger.transactions.find((t) => t.outTradeNo === refund.outTradeNo)!;
        expect(refunds.find((r) => r.out_refund_no === refund.outRefundNo)!.payer_openid).toBe(trade.payerOpenid);
      }
      // 400 (order 3 cancelled) + 900 (order 4 cancelled) + 300 + 450 + 900 (after-sale refunds), each exactly once.
      expect(refunds.reduce((sum, r) => sum + r.amount, 0)).toBe(2950);
      expect(ledger.refunds.every((r) => r.status === 'SUCCESS')).toBe(true);
      const db = new Database(dbFile, { readonly: true });
      const finalOrders = db.prepare('SELECT id, status, amount_paid, amount_refunded FROM orders ORDER BY shop_order_id').all() as { id: string; status: string; amount_paid: number; amount_refunded: number }[];
      db.close();
      expect(finalOrders.map((o) => [o.status, o.amount_paid, o.amount_refunded])).toEqual([
        ['paid', 900, 300], ['paid', 900, 450], ['paid', 900, 0], ['cancelled', 400, 400], ['cancelled', 900, 900], ['refunded', 900, 900],
      ]);
      // Every webhook delivered: each paid order's link.paid reached the shop (at least once, one event id each).
      const received = receiver.received.map((r) => JSON.parse(r.body) as { id: string; type: string; data: { order_id: string } });
      const paidOrders = new Set(received.filter((e) => e.type === 'link.paid').map((e) => e.data.order_id));
      expect(paidOrders).toEqual(new Set(orders.filter((_, i) => i !== 3)));
      const refundedEvents = received.filter((e) => e.type === 'payment.refunded') as unknown as { data: { refund_id: string } }[];
      expect(new Set(refundedEvents.map((e) => e.data.refund_id))).toEqual(new Set(refunds.map((r) => `rfd_${r.out_refund_no.replace(/^FR/, '')}`)));
      expect(new Set(received.filter((e) => e.type === 'order.refunded').map((e) => e.data.order_id))).toEqual(new Set([orders[3], orders[4], orders[5]]));
      expect(crashes).toBeGreaterThanOrEqual(KILLS);
      expect(crashes - afterSaleFrom).toBeGreaterThanOrEqual(AFTER_SALE_KILLS);
      console.info(`crash harness: ${payments} payments, survived ${crashes} SIGKILLs, ${refunds.length} refunds, ${received.length} webhook deliveries`);
    } finally {
      // Whatever failed, no process of this test outlives it.
      stopped = true;
      await killer.catch(() => undefined);
      if (server) await stopChild(server.child);
      await receiver.close();
      await stopChild(simulators.child);
    }
  }, 240_000);
});
