import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IssuedLinkResponse, OrderResponse } from '../../shared/api-types';
import { createLogger } from '../../server/src/logging/logger';
import type { CreatedShop } from '../../server/src/shops/shop-service';
import { orderBody, startTestServer, type TestServer } from '../support/test-server';

describe('HTTP contract', () => {
  let server: TestServer;
  let shop: CreatedShop;
  const logLines: string[] = [];
  beforeAll(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logLines.push(chunk.toString());
        done();
      },
    });
    server = await startTestServer({}, { logger: createLogger('info', sink) });
    shop = await server.newShop();
  });
  afterAll(async () => server.stop());

  it('refuses a body of 16 KiB + 1 byte with a 413 problem, and accepts 16 KiB', async () => {
    const base = JSON.stringify({ pad: '' });
    const exact = JSON.stringify({ pad: 'x'.repeat(16 * 1024 - base.length) });
    const over = JSON.stringify({ pad: 'x'.repeat(16 * 1024 - base.length + 1) });
    expect(Buffer.byteLength(exact)).toBe(16 * 1024);
    const tooBig = await server.call('POST', '/v1/orders', { key: shop.api_key, rawBody: over });
    expect(tooBig.status).toBe(413);
    expect(tooBig.json).toMatchObject({ code: 'BODY_TOO_LARGE', status: 413 });
    const fits = await server.call('POST', '/v1/orders', { key: shop.api_key, rawBody: exact });
    expect(fits.status).toBe(422);
  });

  it('answers malformed JSON with a 400 problem and no stack trace', async () => {
    const answer = await server.call('POST', '/v1/orders', { key: shop.api_key, rawBody: '{"shop_order_id": "a",' });
    expect(answer.status).toBe(400);
    expect(answer.headers.get('content-type')).toContain('application/problem+json');
    expect(answer.json).toMatchObject({ type: 'about:blank', code: 'MALFORMED_JSON', status: 400 });
    expect(answer.text).not.toMatch(/at .*\.(ts|js):\d+/);
  });

  it('refuses JSON with a key repeated in one object, whichever value would have won', async () => {
    const body = orderBody(server.deps.clock.now());
    const text = JSON.stringify(body).replace('{', '{"amount_total":1,');
    const answer = await server.call('POST', '/v1/orders', { key: shop.api_key, rawBody: text });
    expect(answer.status).toBe(400);
    expect(answer.json).toMatchObject({ code: 'MALFORMED_JSON' });
    expect(answer.text).toContain('amount_total');
  });

  it('answers a body sent as another content type with 415', async () => {
    const answer = await server.call('POST', '/v1/orders', { key: shop.api_key, rawBody: 'a=b', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(answer.status).toBe(415);
    expect(answer.json).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE' });
  });

  it('answers an unknown route with a 404 problem', async () => {
    const answer = await server.call('GET', '/v1/nothing-here');
    expect(answer.status).toBe(404);
    expect(answer.json).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('puts X-Request-Id on every response, and the same id in problems, always one of ours', async () => {
    const ok = await server.call('GET', '/healthz');
    expect(ok.headers.get('x-request-id')).toMatch(/^req_/);
    const problem = await server.call<{ request_id: string }>('GET', '/nope');
    expect(problem.json.request_id).toBe(problem.headers.get('x-request-id'));
    const given = await server.call('GET', '/healthz', { headers: { 'x-request-id': 'client-chosen-id-123' } });
    expect(given.headers.get('x-request-id')).toMatch(/^req_/);
    expect(logLines.join('')).toContain('"client_request_id":"client-chosen-id-123"');
  });

  it('replays an idempotent write with the same key and body, and refuses the key with another body', async () => {
    const body = orderBody(server.deps.clock.now());
    const headers = { 'idempotency-key': 'order-create-1' };
    const first = await server.call<OrderResponse>('POST', '/v1/orders', { key: shop.api_key, body, headers });
    const replay = await server.call<OrderResponse>('POST', '/v1/orders', { key: shop.api_key, body, headers });
    expect(first.status).toBe(201);
    expect(replay.status).toBe(201);
    expect(replay.text).toBe(first.text);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    const mismatch = await server.call('POST', '/v1/orders', { key: shop.api_key, body: { ...body, shopper_id: 'other' }, headers });
    expect(mismatch.status).toBe(422);
    expect(mismatch.json).toMatchObject({ code: 'IDEMPOTENCY_MISMATCH' });
  });

  it('issues exactly one link for an idempotent retry of link creation', async () => {
    const order = await server.newOrder(shop);
    const request = { key: shop.api_key, body: { requester: { id: 'u', name: 'Bob' } }, headers: { 'idempotency-key': 'issue-link-1' } };
    const first = await server.call<IssuedLinkResponse>('POST', `/v1/orders/${order.id}/links`, request);
    const second = await server.call<IssuedLinkResponse>('POST', `/v1/orders/${order.id}/links`, request);
    expect(second.json.id).toBe(first.json.id);
    expect(await server.deps.store.listLinksOfOrder(order.id)).toHaveLength(1);
  });

  it('keeps the same idempotency key apart between shops', async () => {
    const other = await server.newShop('Other');
    const headers = { 'idempotency-key': 'shared-key' };
    const a = await server.call('POST', '/v1/orders', { key: shop.api_key, body: orderBody(server.deps.clock.now()), headers });
    const b = await server.call('POST', '/v1/orders', { key: other.api_key, body: orderBody(server.deps.clock.now()), headers });
    expect([a.status, b.status]).toEqual([201, 201]);
  });

  it('never writes link tokens, codes or API keys into the logs', async () => {
    const order = await server.newOrder(shop);
    const link = (await server.call<IssuedLinkResponse>('POST', `/v1/orders/${order.id}/links`, { key: shop.api_key, body: { requester: { id: 'u', name: 'Bob' } } })).json;
    await server.call('GET', `/v1/pay/${link.token}`);
    await server.call('GET', `/v1/pay/${link.code}`);
    await server.call('GET', `/p/${link.code}`);
    const logs = logLines.join('');
    expect(logs).toContain('/v1/pay/{redacted}');
    expect(logs).toContain('/p/{redacted}');
    for (const secret of [link.token, link.code, link.token.split('.')[2], shop.api_key, shop.webhook_secret]) {
      expect(logs).not.toContain(secret);
    }
  });

  it('reports health and readiness', async () => {
    expect((await server.call('GET', '/healthz')).json).toEqual({ status: 'ok' });
    expect((await server.call('GET', '/readyz')).json).toEqual({ status: 'ready', store: 'sqlite' });
  });
});
