import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { OrderResponse } from '../../shared/api-types';
import { reconcileOnce } from '../../server/src/payments/reconciler';
import { openSqliteStore } from '../../server/src/store/sqlite/sqlite-store';
import { eventually, loginFriend, payInSheet, shopWithLink, startPayment } from '../support/friends';
import { orderBody, startTestServer, type TestServer } from '../support/test-server';

const fault = (server: TestServer, body: unknown) => server.call('POST', '/sandbox/faults', { body });

describe('WeChat Pay failing', () => {
  let server: TestServer;
  afterEach(async () => server.stop());

  it('answers 502 with Retry-After while prepay fails, frees the link at once, and a new attempt succeeds once WeChat is back', async () => {
    server = await startTestServer({ WECHATPAY_TIMEOUT_MS: '300' });
    const { link } = await shopWithLink(server);
    const friend = await loginFriend(server, 'o_retry');
    for (const failure of [{ fail: '5xx', times: 3 }, { fail: 'timeout', times: 3 }]) {
      await fault(server, { endpoints: { prepay: failure } });
      const failed = await startPayment(server, friend, link.code, { key: `prepay-${failure.fail}-1` });
      expect(failed.status, failure.fail).toBe(502);
      expect(failed.json).toMatchObject({ code: 'WECHAT_UNAVAILABLE' });
      expect(failed.headers.get('retry-after')).toBe('5');
      // No prepay_id came back, so that attempt has ended: its key names an ended payment (the
      // mini program then starts a new attempt), and the link is not held for anyone.
      const sameKey = await startPayment(server, friend, link.code, { key: `prepay-${failure.fail}-1` });
      expect(sameKey.json).toMatchObject({ code: 'IDEMPOTENCY_MISMATCH' });
      const retried = await startPayment(server, friend, link.code, { key: `prepay-${failure.fail}-2` });
      expect(retried.status, failure.fail).toBe(201);
      const cancel = await server.call('POST', `/v1/payments/${retried.json.payment.id}/cancel`, { headers: { authorization: `Bearer ${friend.token}` } });
      expect(cancel.json).toMatchObject({ status: 'closed' });
    }
  }, 30_000);

  it('keeps an open payment while queries fail, and finds it paid once they work again', async () => {
    server = await startTestServer();
    const { link } = await shopWithLink(server);
    const friend = await loginFriend(server, 'o_query');
    await fault(server, { notifications: { drop: true }, endpoints: { query: { fail: '5xx', times: 20 } } });
    const created = (await startPayment(server, friend, link.code)).json;
    await payInSheet(server, friend, created);
    server.sandboxClock!.advance(301);
    const blind = await reconcileOnce(server.deps);
    expect(blind.paidFound).toBe(0);
    expect((await server.deps.store.getPayment(created.payment.id))?.status).toBe('created');
    await fault(server, { endpoints: { query: null, close: null } });
    server.sandboxClock!.advance(11);
    expect((await reconcileOnce(server.deps)).paidFound).toBe(1);
    expect((await server.deps.store.getPayment(created.payment.id))?.status).toBe('paid');
  });

  it('retries a refund WeChat Pay refused until it is made', async () => {
    server = await startTestServer();
    const { shop, orderId, link } = await shopWithLink(server, { mode: 'group' });
    const friend = await loginFriend(server, 'o_refund');
    const created = (await startPayment(server, friend, link.code, { amount: 300 })).json;
    await payInSheet(server, friend, created);
    await eventually(async () => (await server.deps.store.getOrder(orderId))?.amountPaid === 300, 5000, 'the payment');
    await fault(server, { endpoints: { refund: { fail: '5xx', times: 1 } } });
    expect((await server.call('POST', `/v1/orders/${orderId}/cancel`, { key: shop.api_key })).json).toMatchObject({ status: 'cancelled' });
    const [pending] = await server.deps.store.listRefundsOfOrder(orderId);
    expect(pending).toMatchObject({ status: 'pending', attempts: 1, lastError: 'SYSTEM_ERROR' });
    server.sandboxClock!.advance(20);
    await reconcileOnce(server.deps);
    const order = await eventually(async () => {
      await reconcileOnce(server.deps);
      const current = (await server.call<OrderResponse>('GET', `/v1/orders/${orderId}`, { key: shop.api_key })).json;
      return current.refunds[0]?.status === 'succeeded' ? current : undefined;
    }, 5000, 'the refund to succeed');
    expect(order.amount_refunded).toBe(300);
    expect(server.sandbox!.paySimulator!.ledger.refunds()).toHaveLength(1);
  });
});

describe('WeChat Pay timing out', () => {
  it('survives timeouts on query, close and refund, and finishes the work once WeChat answers', async () => {
    const server = await startTestServer({ WECHATPAY_TIMEOUT_MS: '200' });
    try {
      const { shop, orderId, link } = await shopWithLink(server, { mode: 'group' });
      const paid = await loginFriend(server, 'o_paid');
      const idle = await loginFriend(server, 'o_idle');
      const kept = (await startPayment(server, paid, link.code, { amount: 200 })).json;
      await payInSheet(server, paid, kept);
      await eventually(async () => (await server.deps.store.getOrder(orderId))?.amountPaid === 200, 5000, 'the payment');
      const open = (await startPayment(server, idle, link.code, { amount: 100 })).json;
      await fault(server, { endpoints: { query: { fail: 'timeout', times: 3 }, close: { fail: 'timeout', times: 6 }, refund: { fail: 'timeout', times: 1 } } });
      // Cancel: the refund times out; the open payment's close and query time out.
      expect((await server.call('POST', `/v1/orders/${orderId}/cancel`, { key: shop.api_key })).json).toMatchObject({ status: 'cancelled' });
      server.sandboxClock!.advance(6);
      await reconcileOnce(server.deps);
      expect((await server.deps.store.getPayment(open.payment.id))?.status).toBe('created');
      // WeChat answers again: the open payment is closed and the refund made, exactly once.
      const order = await eventually(async () => {
        server.sandboxClock!.advance(30);
        await reconcileOnce(server.deps);
        const current = (await server.call<OrderResponse>('GET', `/v1/orders/${orderId}`, { key: shop.api_key })).json;
        const closed = (await server.deps.store.getPayment(open.payment.id))?.status === 'closed';
        return closed && current.refunds[0]?.status === 'succeeded' ? current : undefined;
      }, 15_000, 'the close and the refund');
      expect(order.amount_refunded).toBe(200);
      expect(server.sandbox!.paySimulator!.ledger.refunds()).toHaveLength(1);
    } finally {
      await server.stop();
    }
  }, 40_000);
});

describe('the store failing', () => {
  it('answers 503 while SQLite is locked by another process, and recovers without a restart', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'friend-pay-busy-'));
    const file = path.join(dir, 'busy.sqlite');
    const server = await startTestServer({}, { store: openSqliteStore(file, { busyTimeoutMs: 200 }) });
    try {
      const shop = await server.newShop();
      const other = new Database(file);
      other.exec('BEGIN IMMEDIATE'); // another process holds the write lock
      const blocked = await server.call('POST', '/v1/orders', { key: shop.api_key, body: orderBody(server.deps.clock.now()) });
      expect(blocked.status).toBe(503);
      expect(blocked.json).toMatchObject({ code: 'STORE_UNAVAILABLE' });
      expect(blocked.headers.get('retry-after')).toBe('5');
      expect((await server.call('GET', '/healthz')).status).toBe(200);
      other.exec('ROLLBACK');
      other.close();
      const body = orderBody(server.deps.clock.now());
      expect((await server.call('POST', '/v1/orders', { key: shop.api_key, body })).status).toBe(201);
    } finally {
      await server.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
