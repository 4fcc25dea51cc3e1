// Every page a person sees, on a phone (375x667, Chinese font), saved as a screenshot and checked
// for what they would notice: tap targets under 44 px, words broken mid-word, text over text.
// The screenshots (test/e2e/screenshots/screen-*.png) are for people to look at too.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DemoResponse, IssuedLinkResponse } from '../../shared/api-types';
import { deliverOnce } from '../../server/src/webhooks/webhook-deliverer';
import { layoutProblems } from './support/layout';
import { startBrowserWorld, type BrowserWorld, type WatchedPage } from './support/harness';

let world: BrowserWorld;

beforeAll(async () => {
  world = await startBrowserWorld();
});

afterEach(async () => {
  await world.endTest();
});

afterAll(async () => {
  await world?.close();
});

/** Screenshot and layout check in one: what a person sees, and what they would trip over. */
async function look(watched: WatchedPage, name: string): Promise<void> {
  await watched.screenshot(name);
  expect(await layoutProblems(watched.page), name).toEqual([]);
}

/** A demo whose order has a line of two, so "× 2" and its line total show. */
async function demoWithTwoOfAKind(mode: 'single' | 'group'): Promise<{ demo: DemoResponse; link: IssuedLinkResponse }> {
  const demo = await world.createDemo(mode);
  const order = await world.server.call<{ id: string }>('POST', '/v1/orders', {
    key: demo.shop.api_key,
    body: {
      shop_order_id: `screens-${mode}-${Date.now()}`,
      shopper_id: 'demo-shopper',
      amount_total: 8900,
      items: [
        { title: '云南小粒咖啡豆 250g', quantity: 2, unit_price: 4400 },
        { title: '包装费 Packaging', quantity: 1, unit_price: 100 },
      ],
      pay_deadline: new Date(world.server.deps.clock.now() + 48 * 3600_000).toISOString(),
    },
  });
  const link = await world.server.call<IssuedLinkResponse>('POST', `/v1/orders/${order.json.id}/links`, {
    key: demo.shop.api_key,
    body: { requester: { id: 'demo-shopper', name: '张小明' }, message: '帮我付一下咖啡豆，谢谢！', mode },
  });
  expect(link.status, link.text).toBe(201);
  return { demo, link: link.json };
}

describe('the pages, as people see them', () => {
  it('pay page, single: who asks, the items as unit price × quantity with line totals, the name field, a 44 px pay button', async () => {
    const { link } = await demoWithTwoOfAKind('single');
    const watched = await world.newPage();
    await watched.page.goto(world.appUrl(`/pages/pay/index?t=${link.token}&friend=screens-single`));
    await watched.page.getByTestId('pay-button').waitFor();
    expect(await watched.page.locator('.item').first().textContent()).toContain('¥44.00 × 2');
    expect(await watched.page.locator('.item').first().textContent()).toContain('¥88.00');
    await look(watched, 'screen-pay-single');
  });

  it('pay page, group: progress, one-tap amounts and the amount field', async () => {
    const { link } = await demoWithTwoOfAKind('group');
    const watched = await world.newPage();
    await watched.page.goto(world.appUrl(`/pages/pay/index?t=${link.token}&friend=screens-group`));
    await watched.page.getByTestId('amount-picker').waitFor();
    await look(watched, 'screen-pay-group');
  });

  it('pay page, paid: the receipt (shop, items, amount, China time, WeChat transaction number, who was told) and the copy line outside WeChat; then the share page shows the name', async () => {
    const { link } = await demoWithTwoOfAKind('single');
    const friend = await world.newPage();
    await friend.page.goto(world.appUrl(`/pages/pay/index?t=${link.token}&friend=screens-paid`));
    await friend.page.getByTestId('payer-name').fill('李雷');
    await friend.page.getByTestId('pay-button').click();
    await friend.page.getByTestId('sheet-confirm').click();
    await friend.page.getByTestId('screen-paid-by-you').waitFor({ timeout: 20_000 });
    const receipt = friend.page.getByTestId('receipt');
    expect(await receipt.getByTestId('receipt-amount').textContent()).toBe('¥89.00');
    expect(await receipt.getByTestId('receipt-transaction').textContent()).toMatch(/^\d{10,}$/);
    expect(await receipt.getByTestId('receipt-time').textContent()).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d（北京时间）$/);
    expect(await receipt.getByTestId('receipt-notified').textContent()).toBe('已通知 张**');
    expect(await friend.page.getByTestId('copy-for-them').count()).toBe(1);
    await look(friend, 'screen-pay-paid-receipt');

    const shopper = await world.newPage();
    await shopper.page.goto(world.appUrl(`/pages/share/index?t=${link.token}`));
    await expect.poll(() => shopper.page.getByTestId('share-status').getAttribute('data-status'), { timeout: 15_000 }).toBe('paid');
    // Opened with the link's own token, the share page is a friend's view: the name masked.
    expect(await shopper.page.getByTestId('share-status').textContent()).toContain('李*');
    // The shopper's own page (the shopper token) names the friend they asked in full.
    await shopper.page.goto(world.appUrl(`/pages/share/index?s=${link.shopper_token ?? ''}&as=screens-shopper`));
    await expect.poll(() => shopper.page.getByTestId('share-status').getAttribute('data-status'), { timeout: 15_000 }).toBe('paid');
    expect(await shopper.page.getByTestId('share-status').textContent()).toContain('李雷');
    await look(shopper, 'screen-share-paid');
  });

  it('share page: says what sending does in WeChat, copies the link, draws a poster', async () => {
    const { link } = await demoWithTwoOfAKind('single');
    const watched = await world.newPage();
    await watched.page.goto(world.appUrl(`/pages/share/index?t=${link.token}`));
    await watched.page.getByTestId('send-outside-wechat').waitFor();
    await watched.page.getByTestId('make-poster').click();
    await watched.page.locator('#share-poster canvas').waitFor();
    await expect.poll(() => watched.page.getByTestId('save-poster').getAttribute('class')).not.toContain('disabled');
    // The poster's backing store: at least 750 px wide.
    expect(await watched.page.locator('#share-poster canvas').evaluate((canvas) => (canvas as HTMLCanvasElement).width)).toBeGreaterThanOrEqual(750);
    await look(watched, 'screen-share-waiting');
  });

  it('QA page: the demo, the API key and curl lines, the link revoked from a button and the webhook that followed', async () => {
    const watched = await world.newPage();
    await watched.page.goto(world.appUrl('/pages/dev/index'));
    await watched.page.getByTestId('new-demo-single').click();
    await watched.page.getByTestId('demo-api-key').waitFor();
    await watched.page.getByTestId('revoke-link').click();
    await expect.poll(() => watched.page.getByTestId('demo-status').textContent()).toContain('revoked');
    await deliverOnce(world.server.deps);
    await watched.page.getByTestId('refresh-demo').click();
    await expect.poll(() => watched.page.getByTestId('webhooks').textContent(), { timeout: 10_000 }).toContain('link.revoked');
    expect(await watched.page.getByTestId('webhooks').textContent()).toContain('signature OK');
    await look(watched, 'screen-dev');
  });

  it('pay page opened without a link: the sandbox offers the QA page', async () => {
    const watched = await world.newPage();
    await watched.page.goto(world.appUrl('/pages/pay/index'));
    await watched.page.getByTestId('screen-no-link').waitFor();
    await look(watched, 'screen-pay-no-link');
    await watched.page.getByTestId('open-qa').click();
    await watched.page.getByTestId('screen-dev').waitFor();
  });

  it("landing page: China time, unit price × quantity with line totals, the state in the glossary's words", async () => {
    const { link } = await demoWithTwoOfAKind('single');
    const watched = await world.newPage();
    await watched.page.goto(link.url);
    const text = (await watched.page.locator('main').textContent()) ?? '';
    expect(text).toContain('¥44.00 × 2');
    expect(text).toContain('北京时间');
    expect(text).toContain('等待付款');
    await look(watched, 'screen-landing');
  });

  it('API docs page: readable on a phone too', async () => {
    const watched = await world.newPage();
    await watched.page.goto(`${world.server.url}/docs`);
    await watched.page.locator('#webhooks').waitFor();
    await watched.page.screenshot({ path: `${__dirname}/screenshots/screen-docs.png` });
  });
});
