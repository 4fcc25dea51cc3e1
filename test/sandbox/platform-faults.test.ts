// The QA switches for WeChat's server API (codes, URL Links, tokens) on POST /sandbox/faults.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IssuedLinkResponse } from '../../shared/api-types';
import type { CreatedShop } from '../../server/src/shops/shop-service';
import { fetchBytes } from '../support/mini-program';
import { startTestServer, type TestServer } from '../support/test-server';

interface FaultsView {
  wechat_api: { faults: Record<string, { errcode: number; remaining: number | null }> };
}

describe("QA fault switches for WeChat's server API", () => {
  let server: TestServer;
  let shop: CreatedShop;
  beforeAll(async () => {
    server = await startTestServer();
    shop = await server.newShop();
  });
  afterAll(async () => server.stop());

  async function issue(): Promise<IssuedLinkResponse> {
    const order = await server.newOrder(shop);
    return (await server.call<IssuedLinkResponse>('POST', `/v1/orders/${order.id}/links`, { key: shop.api_key, body: { requester: { id: 'u1', name: 'Bob' } } })).json;
  }

  it('switches the code quota (45009) on and off, shows it, and counts down a limited fault', async () => {
    const link = await issue();

    const on = await server.call<FaultsView>('POST', '/sandbox/faults', { body: { wechat_api: { faults: { getwxacodeunlimit: { errcode: 45009 }, generate_urllink: { errcode: -1, times: 2 } } } } });
    const refused = await fetchBytes(`${server.url}/p/${link.code}/qr.png`);
    const shown = await server.call<FaultsView>('GET', '/sandbox/faults');
    const off = await server.call<FaultsView>('POST', '/sandbox/faults', { body: { wechat_api: { faults: { getwxacodeunlimit: null } } } });
    const served = await fetchBytes(`${server.url}/p/${link.code}/qr.png`);
    const reset = await server.call<FaultsView>('DELETE', '/sandbox/faults');

    expect(on.json.wechat_api.faults).toEqual({ getwxacodeunlimit: { errcode: 45009, remaining: null }, generate_urllink: { errcode: -1, remaining: 2 } });
    expect(refused.status).toBe(503);
    expect(shown.json.wechat_api).toEqual(on.json.wechat_api);
    expect(off.json.wechat_api.faults).toEqual({ generate_urllink: { errcode: -1, remaining: 2 } });
    expect(served.status).toBe(200);
    expect(reset.json.wechat_api.faults).toEqual({});
  });

  it('revokes the access tokens behind the server\'s back, and the next code still comes (one forced refresh)', async () => {
    const simulator = server.sandbox!.platformSimulator!;
    expect((await fetchBytes(`${server.url}/p/${(await issue()).code}/qr.png`)).status).toBe(200);
    const forced = simulator.stats().forcedRefreshes;

    await server.call('POST', '/sandbox/faults', { body: { wechat_api: { revoke_access_tokens: true } } });
    const after = await fetchBytes(`${server.url}/p/${(await issue()).code}/qr.png`);

    expect(after.status).toBe(200);
    expect(simulator.stats().forcedRefreshes).toBe(forced + 1);
  });

  it('refuses an errcode WeChat never gives and an API it does not have', async () => {
    const badCode = await server.call<{ code: string; detail: string }>('POST', '/sandbox/faults', { body: { wechat_api: { faults: { getwxacodeunlimit: { errcode: 12345 } } } } });
    const badApi = await server.call<{ code: string }>('POST', '/sandbox/faults', { body: { wechat_api: { faults: { send_message: { errcode: 45009 } } } } });

    expect(badCode.status).toBe(400);
    expect(badCode.json.detail).toContain('45009');
    expect(badApi.status).toBe(400);
  });
});
