// The shop lists its orders (newest first, page by page) and an order's links.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IssuedLinkResponse, OrderLinksResponse, OrderListResponse } from '../../shared/api-types';
import type { CreatedShop } from '../../server/src/shops/shop-service';
import { engines, startTestServer, type TestServer } from '../support/test-server';

describe.each(engines)('listing orders and their links (%s)', (engine) => {
  let server: TestServer;
  let shop: CreatedShop;
  let other: CreatedShop;
  const created: string[] = [];
  beforeAll(async () => {
    server = await startTestServer({}, {}, { engine });
    shop = await server.newShop('Lister');
    other = await server.newShop('Someone else');
    for (let i = 0; i < 5; i++) {
      created.push((await server.newOrder(shop, { shop_order_id: `list-${i}` })).id);
      server.sandboxClock?.advance(1);
    }
    await server.newOrder(other, { shop_order_id: 'not-yours' });
    await server.call('POST', `/v1/orders/${created[1]}/cancel`, { key: shop.api_key });
  });
  afterAll(async () => server.stop());

  const list = (query: string, key = shop.api_key) => server.call<OrderListResponse & { code?: string }>('GET', `/v1/orders${query}`, { key });

  it("pages through every order of the shop, newest first, and no other shop's", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await list(`?limit=2${cursor === null ? '' : `&cursor=${cursor}`}`);
      expect(page.status, page.text).toBe(200);
      expect(page.json.orders.length).toBeLessThanOrEqual(2);
      seen.push(...page.json.orders.map((order) => order.id));
      cursor = page.json.next_cursor;
      pages += 1;
    } while (cursor !== null && pages < 10);
    expect(seen).toEqual([...created].reverse());
    const first = (await list('')).json.orders[0];
    expect(first).toMatchObject({ id: created[4], shop_order_id: 'list-4', status: 'pending', amount_total: 1234 });
    expect(first).not.toHaveProperty('payers');
  });

  it('filters by status', async () => {
    const cancelled = await list('?status=cancelled');
    expect(cancelled.json.orders.map((order) => order.id)).toEqual([created[1]]);
    expect(cancelled.json.next_cursor).toBeNull();
    expect((await list('?status=pending')).json.orders.map((order) => order.id)).toEqual([created[4], created[3], created[2], created[0]]);
  });

  it('refuses an unknown status, a made-up cursor or a limit out of range with 422 naming the parameter', async () => {
    for (const [query, path] of [['?status=lost', 'status'], ['?cursor=bm90LWEtY3Vyc29y', 'cursor'], ['?limit=0', 'limit'], ['?limit=101', 'limit'], ['?colour=red', 'query']] as const) {
      const answer = await list(query);
      expect(answer.status, query).toBe(422);
      expect(answer.text).toContain(path);
    }
  });

  it("lists an order's links with their status, and 404 for another shop's order", async () => {
    const issue = async (): Promise<IssuedLinkResponse> => (await server.call<IssuedLinkResponse>('POST', `/v1/orders/${created[0]}/links`, { key: shop.api_key, body: { requester: { id: 'u', name: '张三' } } })).json;
    const first = await issue();
    const second = await issue();
    await server.call('POST', `/v1/links/${first.id}/revoke`, { key: shop.api_key });
    const links = await server.call<OrderLinksResponse>('GET', `/v1/orders/${created[0]}/links`, { key: shop.api_key });
    expect(links.status).toBe(200);
    expect(links.json.links.map((link) => [link.id, link.status])).toEqual([[first.id, 'revoked'], [second.id, 'active']]);
    expect((await server.call('GET', `/v1/orders/${created[0]}/links`, { key: other.api_key })).status).toBe(404);
  });
});
