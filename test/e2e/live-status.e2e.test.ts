// Live status in the chat, in Chromium (375x667) against a sandbox server serving the H5 build:
// the shopper's share page shows the chat card change as friends pay, and the pay page refuses a
// friend who opened a forwarded private card. Screenshots in test/e2e/screenshots/.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DemoResponse } from '../../shared/api-types';
import { loginFriend } from '../support/friends';
import { deliverChat, openAsShopper, pay, shareCard } from '../support/live';
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

async function demo(body: Record<string, unknown>): Promise<DemoResponse> {
  const answer = await world.server.call<DemoResponse>('POST', '/sandbox/demo', { body });
  if (answer.status !== 201) throw new Error(`POST /sandbox/demo: ${answer.status} ${answer.text}`);
  return answer.json;
}

describe('live status in the chat, in a browser', () => {
  it("the share page shows the card's state as friends pay: 0/3, 1/3, then finished", async () => {
    const { link } = await demo({ mode: 'group' });
    const shopper = await world.newPage();
    const { page } = shopper;
    await page.goto(world.appUrl(`/pages/share/index?s=${link.shopper_token}&as=e2e-shopper`));
    await page.getByTestId('screen-share').waitFor();
    // The page bound the shopper and made the card; sharing it (here, to the simulated chat) puts it in a chat.
    await page.getByTestId('sandbox-share-sandbox-friend-a').click();
    await page.getByTestId('sandbox-open-pay').waitFor();
    await expect.poll(() => page.getByTestId('sandbox-card').textContent(), { timeout: 10_000 }).toBe('沙箱聊天中显示：成员正在加入，当前 0/3 人');
    await expect.poll(() => page.getByTestId('chat-card-state').textContent(), { timeout: 10_000 }).toBe('已有 0/3 位朋友付款');
    await shopper.screenshot('share-card-0-of-3');

    await pay(world.server, await loginFriend(world.server, 'e2e-card-a'), link.code, 400);
    await deliverChat(world.server);
    await expect.poll(() => page.getByTestId('sandbox-card').textContent(), { timeout: 10_000 }).toBe('沙箱聊天中显示：成员正在加入，当前 1/3 人');
    await expect.poll(() => page.getByTestId('chat-card-state').textContent(), { timeout: 10_000 }).toBe('已有 1/3 位朋友付款');
    await shopper.screenshot('share-card-1-of-3');

    await pay(world.server, await loginFriend(world.server, 'e2e-card-b'), link.code, 400);
    await pay(world.server, await loginFriend(world.server, 'e2e-card-c'), link.code, 434);
    await deliverChat(world.server);
    await expect.poll(() => page.getByTestId('sandbox-card').textContent(), { timeout: 10_000 }).toBe('沙箱聊天中显示：已开始');
    await expect.poll(() => page.getByTestId('chat-card-state').textContent(), { timeout: 10_000 }).toBe('已结束 · 已有 3/3 位朋友付款');
    expect(await page.getByTestId('share-status').getAttribute('data-status')).toBe('paid');
    // Below the status: the order's record with what was paid, not "¥0.00 due" under "what your friend sees".
    await expect.poll(() => page.getByTestId('amount-paid').textContent(), { timeout: 10_000 }).toBe('¥12.34');
    expect(await page.getByTestId('screen-share').textContent()).toContain('订单明细');
    await shopper.screenshot('share-card-done');
  });

  it('the pay page refuses a friend who opened a forwarded private card, and lets the friend it was sent to pay', async () => {
    const { link } = await demo({ audience: 'private' });
    const shopper = await openAsShopper(world.server, link, 'e2e-private-shopper');
    const { ticket } = await shareCard(world.server, link.shopper_token!, shopper, ['e2e-private-bob']);
    const forwarded = await world.server.call<{ share_ticket: string }>('POST', '/sandbox/wx/forward', { body: { share_ticket: ticket, to_openids: ['e2e-private-carol'] } });

    const carol = await world.newPage();
    carol.expectHttpError({ status: 403, path: /^\/v1\/pay\/[^/]+\/private-proof$/ });
    await carol.page.goto(world.appUrl(`/pages/pay/index?t=${link.token}&friend=e2e-private-carol&share_ticket=${forwarded.json.share_ticket}`));
    const refused = carol.page.getByTestId('screen-private');
    await refused.waitFor();
    expect(await refused.textContent()).toContain('这是发给特定好友的付款请求');
    expect(await carol.page.getByTestId('pay-button').count()).toBe(0);
    await carol.screenshot('pay-private-forwarded-refused');

    const bob = await world.newPage();
    await bob.page.goto(world.appUrl(`/pages/pay/index?t=${link.token}&friend=e2e-private-bob&share_ticket=${ticket}`));
    await bob.page.getByTestId('pay-button').waitFor();
    expect(await bob.page.getByTestId('private-note').textContent()).toBe('这是发给特定好友的付款请求');
    await bob.screenshot('pay-private-recipient');
  });
});
