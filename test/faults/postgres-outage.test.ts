import { describe, expect, it } from 'vitest';
import type { OrderResponse } from '../../shared/api-types';
import { startTcpProxy } from '../support/tcp-proxy';
import { createTestDatabase, postgresAdmin } from '../support/test-database';
import { orderBody, startTestServer } from '../support/test-server';

describe('PostgreSQL going away', () => {
  it('answers 503 while the database is unreachable, and recovers without a restart, losing nothing', async () => {
    await postgresAdmin(); // fails with how to start PostgreSQL when it is down
    const database = await createTestDatabase('postgres');
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: 5432 });
    const url = database.url.replace('127.0.0.1:5432', `127.0.0.1:${proxy.port}`);
    const server = await startTestServer({ DATABASE_URL: url });
    try {
      const shop = await server.newShop();
      const before = await server.call<OrderResponse>('POST', '/v1/orders', { key: shop.api_key, body: orderBody(server.deps.clock.now()) });
      expect(before.status).toBe(201);

      await proxy.cut();
      const during = await server.call('POST', '/v1/orders', { key: shop.api_key, body: orderBody(server.deps.clock.now()) });
      expect(during.status).toBe(503);
      expect(during.json).toMatchObject({ code: 'STORE_UNAVAILABLE' });
      expect(during.headers.get('retry-after')).toBe('5');
      expect((await server.call('GET', '/readyz')).status).toBe(503);
      expect((await server.call('GET', '/healthz')).status).toBe(200);

      await proxy.restore();
      const body = orderBody(server.deps.clock.now());
      const after = await server.call<OrderResponse>('POST', '/v1/orders', { key: shop.api_key, body });
      expect(after.status).toBe(201);
      expect((await server.call('GET', '/readyz')).status).toBe(200);
      // Nothing written before the outage was lost.
      expect((await server.call<OrderResponse>('GET', `/v1/orders/${before.json.id}`, { key: shop.api_key })).json.id).toBe(before.json.id);
    } finally {
      await server.stop();
      await proxy.close();
      await database.drop();
    }
  });
});
