// Whole payment journeys in Chromium: friends open a link, pay in the sandbox pay sheet (which
// drives the WeChat Pay simulator and its signed notification), and the shopper's share page
// follows. Each friend is their own browser context and simulated WeChat user (`?friend=`).
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
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

/** Opens the pay page as simulated friend `openid`. */
async function openAsFriend(token: string, openid: string): Promise<WatchedPage> {
  const friend = await world.newPage();
  await friend.page.goto(world.appUrl(`/pages/pay/index?t=${token}&friend=${openid}`));
  await friend.page.getByTestId('pay-button').waitFor();
  return friend;
}

/** Presses pay and confirms in the sandbox pay sheet; resolves once the page says paid. */
async function payInSheet(page: Page): Promise<void> {
  await page.getByTestId('pay-button').click();
  await page.getByTestId('sandbox-pay-sheet').waitFor();
  await page.getByTestId('sheet-confirm').click();
  await page.getByTestId('screen-paid-by-you').waitFor({ timeout: 20_000 });
}

async function openSharePage(token: string): Promise<WatchedPage> {
  const shopper = await world.newPage();
  await shopper.page.goto(world.appUrl(`/pages/share/index?t=${token}`));
  await shopper.page.getByTestId('screen-share').waitFor();
  return shopper;
}

describe('payment journeys', () => {
  it('a friend opens a link, pays in the sandbox pay sheet, sees success, and the share page shows paid', async () => {
    const demo = await world.createDemo('single');
    const shopper = await openSharePage(demo.link.token);
    expect(await shopper.page.getByTestId('share-status').textContent()).toContain('等待付款');

    const friend = await openAsFriend(demo.link.token, 'e2e-friend-a');
    await friend.page.getByTestId('pay-button').click();
    await friend.page.getByTestId('sandbox-pay-sheet').waitFor();
    expect(await friend.page.getByTestId('sandbox-pay-sheet').textContent()).toContain('¥12.34');
    await friend.screenshot('journey-single-pay-sheet');
    await friend.page.getByTestId('sheet-confirm').click();
    await friend.page.getByTestId('screen-paid-by-you').waitFor({ timeout: 20_000 });
    expect(await friend.page.getByTestId('screen-paid-by-you').textContent()).toContain('你已帮 张** 付款 ¥12.34');
    await friend.screenshot('journey-single-paid-by-you');

    // The share page polls: no reload needed.
    await expect.poll(() => shopper.page.getByTestId('share-status').getAttribute('data-status'), { timeout: 15_000 }).toBe('paid');
    const status = await shopper.page.getByTestId('share-status').textContent();
    expect(status).toContain('已付款');
    // A friend who gave no name is "微信好友 N", in the order friends paid.
    expect(status).toContain('微信好友 1');
    await shopper.screenshot('journey-single-share-paid');

    // The shop sees it too.
    const link = await world.server.call<{ status: string; amount_paid: number }>('GET', `/v1/links/${demo.link.id}`, { key: demo.shop.api_key });
    expect(link.json).toMatchObject({ status: 'paid', amount_paid: 1234 });
  });

  it('group mode: two friends each pay a part, and the order is paid', async () => {
    const demo = await world.createDemo('group');

    const first = await openAsFriend(demo.link.token, 'e2e-group-a');
    await first.page.getByTestId('custom-amount').fill('5');
    await expect.poll(() => first.page.getByTestId('pay-button').textContent()).toBe('确认付款 ¥5.00');
    await payInSheet(first.page);
    expect(await first.page.getByTestId('screen-paid-by-you').textContent()).toContain('付款 ¥5.00');
    await expect.poll(() => first.page.getByTestId('group-progress').textContent()).toContain('已付 ¥5.00 / 共 ¥12.34');
    await first.screenshot('journey-group-first-paid');

    const second = await openAsFriend(demo.link.token, 'e2e-group-b');
    expect(await second.page.getByTestId('group-progress').textContent()).toContain('还差 ¥7.34');
    expect(await second.page.getByTestId('contributors').textContent()).toContain('微信好友 1');
    await second.page.getByTestId('quick-amount-734').click();
    expect(await second.page.getByTestId('pay-button').textContent()).toBe('确认付款 ¥7.34');
    await second.screenshot('journey-group-second-chooses');
    await payInSheet(second.page);
    await second.screenshot('journey-group-second-paid');

    const shopper = await openSharePage(demo.link.token);
    await expect.poll(() => shopper.page.getByTestId('share-status').getAttribute('data-status'), { timeout: 15_000 }).toBe('paid');
    const status = await shopper.page.getByTestId('share-status').textContent();
    expect(status).toContain('微信好友 1');
    expect(status).toContain('微信好友 2');
    await shopper.screenshot('journey-group-share-paid');
  });

  it('a busy link: while one friend is in the pay sheet another waits, then pays once the first cancels', async () => {
    const demo = await world.createDemo('single');
    const first = await openAsFriend(demo.link.token, 'e2e-busy-a');
    const second = await openAsFriend(demo.link.token, 'e2e-busy-b');
    second.expectHttpError({ status: 409, path: /^\/v1\/pay\/[^/]+\/payments$/ });

    await first.page.getByTestId('pay-button').click();
    await first.page.getByTestId('sandbox-pay-sheet').waitFor();

    await second.page.getByTestId('pay-button').click();
    await second.page.getByTestId('screen-busy').waitFor();
    expect(await second.page.getByTestId('screen-busy').textContent()).toContain('另一位朋友正在付款');
    expect(await second.page.getByTestId('busy-countdown').textContent()).toMatch(/^\d+ 秒后自动刷新$/);
    await second.screenshot('journey-busy');

    await first.page.getByTestId('sheet-cancel').click();
    await first.page.getByTestId('notice').waitFor();
    expect(await first.page.getByTestId('notice').textContent()).toBe('已取消付款');

    await second.page.getByTestId('retry-now').click();
    await second.page.getByTestId('screen-active').waitFor();
    await payInSheet(second.page);
    await second.screenshot('journey-busy-second-paid');
  });
});
