import crypto from 'node:crypto';
import net from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IssuedLinkResponse } from '../../shared/api-types';
import { startTestServer, type TestServer } from '../support/test-server';

const REDIS_URL = 'redis://127.0.0.1:6379';

/** Fails (never skips) with what to do when Redis is not there. */
async function requireRedis(): Promise<void> {
  const reachable = await new Promise<boolean>((resolve) => {
    const socket = net.connect(6379, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
  if (!reachable) throw new Error('Redis is not reachable at 127.0.0.1:6379; start it with: redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no');
}

describe('rate limits', () => {
  it('answers 429 with Retry-After once a friend-view budget is spent', async () => {
    const server = await startTestServer({ RATE_LIMIT_FRIEND_VIEWS_PER_MINUTE: '3' });
    try {
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await server.call('GET', '/v1/pay/not-a-link')).status);
      expect(statuses).toEqual([400, 400, 400, 429]);
      const limited = await server.call('GET', '/v1/pay/not-a-link');
      expect(limited.json).toMatchObject({ code: 'RATE_LIMITED', status: 429 });
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    } finally {
      await server.stop();
    }
  });

  it('limits the shop API per key', async () => {
    const server = await startTestServer({ RATE_LIMIT_SHOP_PER_MINUTE: '2' });
    try {
      const shop = await server.newShop();
      const other = await server.newShop('Other');
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await server.call('GET', '/v1/orders/ord_none', { key: shop.api_key })).status);
      expect(statuses).toEqual([404, 404, 429]);
      expect((await server.call('GET', '/v1/orders/ord_none', { key: other.api_key })).status).toBe(404);
    } finally {
      await server.stop();
    }
  });

  it('shares one budget between two instances through Redis', async () => {
    await requireRedis();
    const prefix = `fp_test_${crypto.randomBytes(4).toString('hex')}`;
    const env = { REDIS_URL, REDIS_KEY_PREFIX: prefix, RATE_LIMIT_FRIEND_VIEWS_PER_MINUTE: '4' };
    const a = await startTestServer(env);
    const b = await startTestServer(env);
    const redis = new Redis(REDIS_URL);
    try {
      const statuses = [];
      for (const server of [a, b, a, b, a, b]) statuses.push((await server.call('GET', '/v1/pay/not-a-link')).status);
      expect(statuses).toEqual([400, 400, 400, 400, 429, 429]);
      const retryAfter = (await b.call('GET', '/v1/pay/not-a-link')).headers.get('retry-after');
      expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
      expect(await redis.keys(`${prefix}:rl:friendViewsPerIp*`)).not.toHaveLength(0);
    } finally {
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
      await a.stop();
      await b.stop();
    }
  });
});

describe('metrics', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => server.stop());

  it('counts links issued and viewed, request durations by route pattern, and outbox lag', async () => {
    const shop = await server.newShop();
    const order = await server.newOrder(shop);
    const link = (await server.call<IssuedLinkResponse>('POST', `/v1/orders/${order.id}/links`, { key: shop.api_key, body: { requester: { id: 'u', name: 'Bo' } } })).json;
    await server.call('GET', `/v1/pay/${link.token}`);
    await server.call('GET', `/v1/pay/${link.code}`);
    await server.call('POST', `/v1/links/${link.id}/revoke`, { key: shop.api_key });
    const text = (await server.call('GET', '/metrics')).text;
    expect(text).toContain('friendpay_links_total{event="issued"} 1');
    expect(text).toContain('friendpay_links_total{event="viewed"} 2');
    expect(text).toMatch(/friendpay_http_request_duration_seconds_count\{method="GET",route="\/v1\/pay\/:ref",status="200"\} 2/);
    expect(text).not.toContain(link.code);
    expect(text).toMatch(/friendpay_outbox_lag_seconds \d/);
    expect(text).toContain('friendpay_notification_verification_failures_total');
  });
});
