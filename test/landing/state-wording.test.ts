// One word per state: the landing page (server) and the mini program say the same thing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IssuedLinkResponse } from '../../shared/api-types';
import { messagesFor } from '../../miniprogram/src/i18n/messages';
import type { CreatedShop } from '../../server/src/shops/shop-service';
import { startTestServer, type TestServer } from '../support/test-server';

/** The status badge's words on the landing page: `<span class="status…">中文 · English</span>`. */
function landingStatus(html: string): { zh: string; en: string } {
  const text = /<span class="status[^"]*"[^>]*>([^<]*)<\/span>/.exec(html)?.[1] ?? '';
  const [zh = '', en = ''] = text.split(' · ');
  return { zh: zh.trim(), en: en.trim() };
}

describe('the same state has the same words on every page', () => {
  let server: TestServer;
  let shop: CreatedShop;
  beforeAll(async () => {
    server = await startTestServer();
    shop = await server.newShop();
  });
  afterAll(async () => server.stop());

  async function issue(): Promise<IssuedLinkResponse> {
    const order = await server.newOrder(shop);
    return (await server.call<IssuedLinkResponse>('POST', `/v1/orders/${order.id}/links`, { key: shop.api_key, body: { requester: { id: 'u', name: '张三' } } })).json;
  }

  it('a revoked link reads the same on the landing page and on the pay page, in Chinese and English', async () => {
    const link = await issue();
    await server.call('POST', `/v1/links/${link.id}/revoke`, { key: shop.api_key });
    const status = landingStatus((await server.call('GET', `/p/${link.code}`)).text);
    expect(status.zh).not.toBe('');
    expect(messagesFor('zh').revoked).toContain(status.zh);
    expect(messagesFor('zh').statusRevoked).toContain(status.zh);
    expect(messagesFor('en').revoked.toLowerCase()).toContain(status.en.toLowerCase());
  });

  it('a cancelled order (void link) reads the same on the landing page and on the pay page', async () => {
    const link = await issue();
    await server.call('POST', `/v1/orders/${link.order_id}/cancel`, { key: shop.api_key });
    const status = landingStatus((await server.call('GET', `/p/${link.code}`)).text);
    expect(messagesFor('zh').void).toContain(status.zh);
    expect(messagesFor('zh').statusVoid).toContain(status.zh);
  });

  it('an active link waits with the same words on the landing page and the share page', async () => {
    const link = await issue();
    const status = landingStatus((await server.call('GET', `/p/${link.code}`)).text);
    expect(messagesFor('zh').statusWaiting).toContain(status.zh);
  });
});
