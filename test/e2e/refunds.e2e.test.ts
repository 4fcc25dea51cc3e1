// After payment, in Chromium: the shop refunds part and then all of what a friend paid, and the
// friend's pay page says what went back ("已退款 ¥x · 原路退回", "退款处理中" while on its way);
// the shopper's share page says it too. Each step is screenshotted.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CreateRefundResponse } from '../../shared/api-types';
import { reconcileOnce } from '../../server/src/payments/reconciler';
import { startBrowserWorld, type BrowserWorld } from './support/harness';

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

let keys = 0;

/** The shop refunds `amount` fen of its order (Idempotency-Key required). */
async function refund(orderId: string, apiKey: string, amount: number): Promise<CreateRefundResponse> {
  const answer = await world.server.call<CreateRefundResponse>('POST', `/v1/orders/${orderId}/refunds`, { key: apiKey, body: { amount, reason: '缺货退款' }, headers: { 'idempotency-key': `e2e-refund-${++keys}` } });
  expect(answer.status, answer.text).toBe(201);
  return answer.json;
}

/** WeChat settles what it is processing and its notifications arrive; the reconciler pushes the rest. */
async function settle(): Promise<void> {
  const simulator = world.server.sandbox!.paySimulator!;
  await simulator.idle();
  world.server.sandboxClock!.advance(60);
  await reconcileOnce(world.server.deps);
  await simulator.idle();
}

describe('refunds on the pay page', () => {
  it('shows a partial refund on its way, then back, then the full refund; the share page shows them to the shopper', async () => {
    const demo = await world.createDemo('single');
    const friendId = 'e2e-refund-a';
    const friend = await world.newPage();
    const payUrl = world.appUrl(`/pages/pay/index?t=${demo.link.token}&friend=${friendId}`);
    await friend.page.goto(payUrl);
    await friend.page.getByTestId('pay-button').click();
    await friend.page.getByTestId('sandbox-pay-sheet').waitFor();
    await friend.page.getByTestId('sheet-confirm').click();
    await friend.page.getByTestId('screen-paid-by-you').waitFor({ timeout: 20_000 });

    // The shop refunds ¥5.00 while WeChat does not take refunds yet: it is on its way.
    await world.server.call('POST', '/sandbox/faults', { body: { endpoints: { refund: { fail: '5xx', times: 1 } } } });
    await refund(demo.order.id, demo.shop.api_key, 500);
    await friend.page.reload();
    await friend.page.getByTestId('refund-pending').waitFor();
    expect(await friend.page.getByTestId('refund-pending').textContent()).toBe('退款处理中 · ¥5.00');
    expect(await friend.page.getByTestId('screen-paid-by-you').textContent()).toContain('你已帮 张** 付款 ¥12.34');
    await friend.screenshot('refund-partial-pending');

    await settle();
    await friend.page.reload();
    await friend.page.getByTestId('refund-back').waitFor();
    expect(await friend.page.getByTestId('refund-back').textContent()).toBe('已退款 ¥5.00 · 原路退回');
    await expect(friend.page.getByTestId('refund-pending').count()).resolves.toBe(0);
    // The one button on the screen (in a browser: copy a line for the friend) is a comfortable tap target.
    expect((await friend.page.getByTestId('copy-for-them').boundingBox())?.height).toBeGreaterThanOrEqual(44);
    await friend.screenshot('refund-partial');

    // The rest goes back: everything the friend paid.
    await refund(demo.order.id, demo.shop.api_key, 734);
    await settle();
    await friend.page.reload();
    await friend.page.getByTestId('refund-back').waitFor();
    await expect.poll(() => friend.page.getByTestId('refund-back').textContent()).toBe('已退款 ¥12.34 · 原路退回');
    await friend.screenshot('refund-full');
    const order = await world.server.call<{ status: string; amount_refunded: number }>('GET', `/v1/orders/${demo.order.id}`, { key: demo.shop.api_key });
    expect(order.json).toMatchObject({ status: 'refunded', amount_refunded: 1234 });

    const shopper = await world.newPage();
    await shopper.page.goto(world.appUrl(`/pages/share/index?t=${demo.link.token}`));
    await shopper.page.getByTestId('share-refund').waitFor();
    // Payers are shown by their display name (the first payer without one is 微信好友 1), never by openid.
    expect(await shopper.page.getByTestId('share-refund').textContent()).toBe('已退款 ¥12.34 · 原路退回 微信好友 1');
    expect(await shopper.page.getByTestId('share-status').textContent()).toContain('已全部退款');
    await shopper.screenshot('refund-share');
  });

  it('shows the refund after the shop cancels a paid order (English)', async () => {
    const demo = await world.createDemo('single');
    const friend = await world.newPage({ locale: 'en-US' });
    await friend.page.goto(world.appUrl(`/pages/pay/index?t=${demo.link.token}&friend=e2e-refund-b`));
    await friend.page.getByTestId('pay-button').click();
    await friend.page.getByTestId('sandbox-pay-sheet').waitFor();
    await friend.page.getByTestId('sheet-confirm').click();
    await friend.page.getByTestId('screen-paid-by-you').waitFor({ timeout: 20_000 });

    const cancelled = await world.server.call<{ status: string }>('POST', `/v1/orders/${demo.order.id}/cancel`, { key: demo.shop.api_key });
    expect(cancelled.json.status).toBe('cancelled');
    await settle();
    await friend.page.reload();
    await friend.page.getByTestId('screen-void').waitFor();
    expect(await friend.page.getByTestId('refund-back').textContent()).toBe('Refunded ¥12.34 · back the way you paid');
    await friend.screenshot('refund-cancelled-en');
  });
});
