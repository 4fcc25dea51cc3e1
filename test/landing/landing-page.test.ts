import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IssuedLinkResponse } from '../../shared/api-types';
import type { CreatedShop } from '../../server/src/shops/shop-service';
import { startTestServer, type TestServer } from '../support/test-server';

describe('landing page for links opened outside WeChat', () => {
  let server: TestServer;
  let shop: CreatedShop;
  beforeAll(async () => {
    server = await startTestServer();
    shop = await server.newShop('<b>Bold</b> & Co');
  });
  afterAll(async () => server.stop());

  async function issue(body: Record<string, unknown>, items?: { title: string; quantity: number; unit_price: number }[]): Promise<IssuedLinkResponse> {
    const order = await server.newOrder(shop, items ? { items, amount_total: items.reduce((sum, item) => sum + item.quantity * item.unit_price, 0) } : {});
    return (await server.call<IssuedLinkResponse>('POST', `/v1/orders/${order.id}/links`, { key: shop.api_key, body })).json;
  }

  it('shows shop, masked requester, amount, status and a QR code, escaping every user string', async () => {
    const link = await issue(
      { requester: { id: 'u1', name: '张三<img src=x onerror=alert(1)>', avatar_url: 'https://img.example.com/a.png?x="><script>' }, message: '<script>alert("pwned")</script>' },
      [{ title: '"><script>alert(2)</script>', quantity: 1, unit_price: 1234 }],
    );
    const answer = await server.call('GET', `/p/${link.code}`);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toContain('text/html');
    expect(answer.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(answer.headers.get('referrer-policy')).toBe('no-referrer');
    const html = answer.text;
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain('<b>Bold</b>');
    expect(html).toContain('&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;');
    expect(html).toContain('&lt;b&gt;Bold&lt;/b&gt; &amp; Co');
    expect(html).toContain('张*');
    expect(html).not.toContain('张三');
    expect(html).toContain('¥12.34');
    expect(html).toContain('等待付款');
    // The kept mini program code by its URL: nothing is drawn per request.
    expect(html).toContain(`<img class="qr" alt="Mini program code for this pay link" src="/p/${link.code}/qr.png">`);
    expect(html).not.toContain('data:image');
  });

  it('shows a revoked link as revoked, with no QR to pay', async () => {
    const link = await issue({ requester: { id: 'u1', name: 'Bob' } });
    await server.call('POST', `/v1/links/${link.id}/revoke`, { key: shop.api_key });
    const html = (await server.call('GET', `/p/${link.code}`)).text;
    expect(html).toContain('已撤回');
    expect(html).not.toContain('class="qr"');
  });

  it('answers a tampered code with a 400 HTML page', async () => {
    const link = await issue({ requester: { id: 'u1', name: 'Bob' } });
    const answer = await server.call('GET', `/p/${link.code.slice(0, -1)}${link.code.endsWith('A') ? 'B' : 'A'}`);
    expect(answer.status).toBe(400);
    expect(answer.headers.get('content-type')).toContain('text/html');
    expect(answer.text).toContain('Invalid link');
  });
  it('shows each line as unit price × quantity and its line total, the rule the pay page uses', async () => {
    const link = await issue({ requester: { id: 'u1', name: 'Bob' } }, [
      { title: '咖啡豆', quantity: 2, unit_price: 4400 },
      { title: 'Packaging', quantity: 1, unit_price: 100 },
    ]);
    const html = (await server.call('GET', `/p/${link.code}`)).text;
    const line = /<li[^>]*>[^]*?咖啡豆[^]*?<\/li>/.exec(html)?.[0] ?? '';
    expect(line).toContain('¥44.00 × 2');
    expect(line).toContain('¥88.00');
    expect(html).toContain('¥89.00');
  });

  it('shows the expiry in China time (Asia/Shanghai), not UTC', async () => {
    const link = await issue({ requester: { id: 'u1', name: 'Bob' }, ttl_seconds: 3600 });
    const china = new Date(Date.parse(link.expires_at) + 8 * 3600_000).toISOString();
    const html = (await server.call('GET', `/p/${link.code}`)).text;
    expect(html).toContain(`${china.slice(0, 10)} ${china.slice(11, 16)}`);
    expect(html).toContain('北京时间');
    expect(html).not.toMatch(/\bUTC\b/);
  });
});
