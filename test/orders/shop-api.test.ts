import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IssuedLinkResponse, OrderResponse } from '../../shared/api-types';
import type { CreatedShop } from '../../server/src/shops/shop-service';
import { engines, orderBody, startTestServer, type TestServer } from '../support/test-server';

const requester = { id: 'shopper-1', name: 'Alice' };

describe.each(engines)('shop API: orders (%s)', (engine) => {
  let server: TestServer;
  let shop: CreatedShop;
  beforeAll(async () => {
    server = await startTestServer({}, {}, { engine });
    shop = await server.newShop();
  });
  afterAll(async () => server.stop());

  it('creates an order (201), finds the identical one again (200) and refuses a different one (409)', async () => {
    const body = orderBody(server.deps.clock.now());
    const created = await server.call<OrderResponse>('POST', '/v1/orders', { key: shop.api_key, body });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ shop_order_id: body.shop_order_id, status: 'pending', amount_total: 1234, amount_paid: 0, amount_due: 1234, currency: 'CNY' });

    const again = await server.call<OrderResponse>('POST', '/v1/orders', { key: shop.api_key, body });
    expect(again.status).toBe(200);
    expect(again.json.id).toBe(created.json.id);

    const changed = await server.call('POST', '/v1/orders', { key: shop.api_key, body: { ...body, shopper_id: 'someone-else' } });
    expect(changed.status).toBe(409);
    expect(changed.json).toMatchObject({ code: 'ORDER_CONFLICT' });
    expect((await server.call<OrderResponse>('GET', `/v1/orders/${created.json.id}`, { key: shop.api_key })).json.shopper_id).toBe('shopper-1');
  });

  it('validates amounts: integer fen, positive, items adding up to the total, a sane maximum', async () => {
    const now = server.deps.clock.now();
    const bad: [string, Record<string, unknown>, string][] = [
      ['float total', { amount_total: 12.34 }, 'VALIDATION_FAILED'],
      ['zero total', { amount_total: 0, items: [{ title: 'x', quantity: 1, unit_price: 0 }] }, 'VALIDATION_FAILED'],
      ['negative price', { items: [{ title: 'x', quantity: 1, unit_price: -1 }] }, 'VALIDATION_FAILED'],
      ['total above the maximum', { amount_total: 50_000_001, items: [{ title: 'x', quantity: 1, unit_price: 50_000_001 }] }, 'VALIDATION_FAILED'],
      ['items not adding up', { amount_total: 1000 }, 'AMOUNT_INVALID'],
      ['string amount', { amount_total: '1234' }, 'VALIDATION_FAILED'],
      ['other currency', { currency: 'USD' }, 'VALIDATION_FAILED'],
      ['deadline in the past', { pay_deadline: new Date(now - 1000).toISOString() }, 'VALIDATION_FAILED'],
      ['deadline not a date', { pay_deadline: 'tomorrow' }, 'VALIDATION_FAILED'],
      ['no items', { items: [] }, 'VALIDATION_FAILED'],
      ['unknown field', { discount: 5 }, 'VALIDATION_FAILED'],
      ['NUL in a title', { items: [{ title: 'a\u0000b', quantity: 1, unit_price: 1234 }] }, 'VALIDATION_FAILED'],
    ];
    for (const [name, overrides, code] of bad) {
      const answer = await server.call('POST', '/v1/orders', { key: shop.api_key, body: { ...orderBody(now), ...overrides } });
      expect(answer.status, name).toBe(422);
      expect(answer.json, name).toMatchObject({ code });
    }
  });

  it('cancels a pending order and voids its live links; cancelling twice is harmless', async () => {
    const order = await server.newOrder(shop);
    const link = (await server.call<IssuedLinkResponse>('POST', `/v1/orders/${order.id}/links`, { key: shop.api_key, body: { requester } })).json;
    const cancelled = await server.call<OrderResponse>('POST', `/v1/orders/${order.id}/cancel`, { key: shop.api_key });
    expect(cancelled.status).toBe(200);
    expect(cancelled.json).toMatchObject({ status: 'cancelled', amount_due: 0 });
    expect(cancelled.json.cancelled_at).not.toBeNull();
    expect((await server.call('GET', `/v1/pay/${link.token}`)).json).toMatchObject({ link: { status: 'void' } });
    expect((await server.call('POST', `/v1/orders/${order.id}/cancel`, { key: shop.api_key })).status).toBe(200);
    const relink = await server.call('POST', `/v1/orders/${order.id}/links`, { key: shop.api_key, body: { requester } });
    expect(relink.status).toBe(409);
    expect(relink.json).toMatchObject({ code: 'ORDER_NOT_PENDING' });
  });

  it('closes an order whose pay deadline has passed', async () => {
    const order = await server.newOrder(shop, { pay_deadline: new Date(server.deps.clock.now() + 120_000).toISOString() });
    server.sandboxClock!.advance(121);
    expect((await server.call('GET', `/v1/orders/${order.id}`, { key: shop.api_key })).json).toMatchObject({ status: 'closed', amount_due: 0 });
    expect((await server.call('POST', `/v1/orders/${order.id}/cancel`, { key: shop.api_key })).status).toBe(409);
  });
});

describe.each(engines)('shop API: tenancy and authentication (%s)', (engine) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({}, {}, { engine });
  });
  afterAll(async () => server.stop());

  it("answers 404 to another shop's key on every shop route, and changes nothing", async () => {
    const owner = await server.newShop('Owner');
    const stranger = await server.newShop('Stranger');
    const order = await server.newOrder(owner);
    const link = (await server.call<IssuedLinkResponse>('POST', `/v1/orders/${order.id}/links`, { key: owner.api_key, body: { requester } })).json;
    const routes: [string, string, unknown?][] = [
      ['GET', `/v1/orders/${order.id}`],
      ['POST', `/v1/orders/${order.id}/cancel`],
      ['POST', `/v1/orders/${order.id}/links`, { requester }],
      ['GET', `/v1/links/${link.id}`],
      ['POST', `/v1/links/${link.id}/revoke`],
      ['GET', `/v1/links/${link.id}/qr.png`],
    ];
    for (const [method, path, body] of routes) {
      const answer = await server.call(method, path, { key: stranger.api_key, body });
      expect(answer.status, `${method} ${path}`).toBe(404);
      expect(answer.headers.get('content-type'), `${method} ${path}`).toContain('application/problem+json');
    }
    expect((await server.call('GET', `/v1/orders/${order.id}`, { key: owner.api_key })).json).toMatchObject({ status: 'pending' });
    expect((await server.call('GET', `/v1/links/${link.id}`, { key: owner.api_key })).json).toMatchObject({ status: 'active' });
    expect(await server.deps.store.listLinksOfOrder(order.id)).toHaveLength(1);
  });

  it('answers 401 without a key or with an unknown one', async () => {
    const order = await server.newOrder(await server.newShop());
    for (const key of [undefined, 'fp_key_notarealkeyatall0000000000']) {
      const answer = await server.call('GET', `/v1/orders/${order.id}`, key === undefined ? {} : { key });
      expect(answer.status).toBe(401);
      expect(answer.json).toMatchObject({ code: 'UNAUTHORIZED' });
    }
  });

  it('shows a shop its own order with the amounts and no one else sees it by a same shop_order_id', async () => {
    const first = await server.newShop('First');
    const second = await server.newShop('Second');
    const body = orderBody(server.deps.clock.now(), { shop_order_id: 'same-id-in-two-shops' });
    const a = await server.call<OrderResponse>('POST', '/v1/orders', { key: first.api_key, body });
    const b = await server.call<OrderResponse>('POST', '/v1/orders', { key: second.api_key, body: { ...body, amount_total: 100, items: [{ title: 'y', quantity: 1, unit_price: 100 }] } });
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(a.json.id).not.toBe(b.json.id);
  });
});
