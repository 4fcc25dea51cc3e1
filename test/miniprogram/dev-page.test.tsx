// The QA page of sandbox builds: demo data, simulated friend, clock, fault switches.
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { DemoResponse } from '../../shared/api-types';
import DevPage from '../../miniprogram/src/pages/dev/index';
import { ok, problem, SHOPPER_TOKEN, TOKEN } from './support/fixtures';
import { taro } from './support/taro-double';

const faultsOff = {
  notifications: { delay_ms: 0, duplicate: false, drop: false, reorder: false, reorder_window_ms: 2000 },
  endpoints: {},
  fail_next_close: false,
  login: null,
  wechat_api: { faults: {} },
};

function serveSandbox(): void {
  taro.server.on('GET', /^\/sandbox\/clock$/, ok({ now: '2030-05-01T08:00:00.000Z', offset_seconds: 0 }));
  taro.server.on('GET', /^\/sandbox\/faults$/, ok(faultsOff));
  taro.server.on('GET', /^\/v1\/links\/lnk_1$/, ok({ id: 'lnk_1', status: 'active', amount_paid: 0, amount_total: 1234 }));
  taro.server.on('GET', /^\/sandbox\/webhooks\?shop_id=shp_1$/, ok({ webhooks: [] }));
}

function demo(mode: 'single' | 'group'): DemoResponse {
  return {
    shop: { id: 'shp_1', name: '好物小店 Demo Shop', api_key: 'fp_key_demo', webhook_secret: 'secret' },
    order: { id: 'ord_1', amount_total: 1234 } as DemoResponse['order'],
    link: { id: 'lnk_1', mode, token: TOKEN, shopper_token: SHOPPER_TOKEN, code: 'lnk_1.abc', url: 'https://api.test/p/lnk_1.abc', expires_at: '2030-05-02T08:00:00.000Z' } as DemoResponse['link'],
  };
}

describe('dev page', () => {
  it('creates a demo and opens its pay and share pages', async () => {
    serveSandbox();
    taro.server.on('POST', /^\/sandbox\/demo$/, (request) => ok(demo((request.body as { mode: 'single' | 'group' }).mode), 201));
    render(<DevPage />);
    await screen.findByText(/moved 0 s/);
    fireEvent.click(screen.getByTestId('new-demo-group'));
    expect((await screen.findByTestId('demo-link')).textContent).toContain('lnk_1 (group)');
    expect(taro.server.sent('POST', /^\/sandbox\/demo$/)[0]?.body).toEqual({ mode: 'group' });
    expect(screen.getByTestId('demo-pay-url').textContent).toContain(`https://api.test/app/#/pages/pay/index?t=${TOKEN}`);
    fireEvent.click(screen.getByTestId('open-pay'));
    fireEvent.click(screen.getByTestId('open-share'));
    // The share page opens as the shopper's own page, with their shopper token.
    expect(screen.getByTestId('demo-share-url').textContent).toContain(`https://api.test/app/#/pages/share/index?s=${SHOPPER_TOKEN}`);
    expect(taro.navigations).toEqual([`/pages/pay/index?t=${TOKEN}`, `/pages/share/index?s=${SHOPPER_TOKEN}`]);
  });

  it('chooses the simulated friend, kept in storage for the pay page', () => {
    serveSandbox();
    render(<DevPage />);
    fireEvent.click(screen.getByTestId('friend-sandbox-friend-b'));
    expect(taro.storage.get('friend-pay:sandbox-friend')).toBe('sandbox-friend-b');
    expect(screen.getByTestId('current-friend').textContent).toContain('sandbox-friend-b');
  });

  it('moves the server clock', async () => {
    serveSandbox();
    const moved = { now: '2030-05-02T09:00:00.000Z', offset_seconds: 90_000 };
    taro.server.on('POST', /^\/sandbox\/clock$/, () => {
      // Like the server: once moved, reading the clock says so.
      taro.server.on('GET', /^\/sandbox\/clock$/, ok(moved));
      return ok(moved);
    });
    render(<DevPage />);
    await screen.findByText(/moved 0 s/);
    fireEvent.click(screen.getByTestId('clock-90000'));
    expect((await screen.findByText(/moved 90000 s/)).textContent).toContain('2030-05-02T09:00:00.000Z');
    expect(taro.server.sent('POST', /^\/sandbox\/clock$/)[0]?.body).toEqual({ advance_seconds: 90_000 });
  });

  it('flips a fault switch and resets them all', async () => {
    serveSandbox();
    taro.server.on('POST', /^\/sandbox\/faults$/, ok({ ...faultsOff, notifications: { ...faultsOff.notifications, drop: true } }));
    taro.server.on('DELETE', /^\/sandbox\/faults$/, ok(faultsOff));
    render(<DevPage />);
    const drop = await screen.findByTestId('fault-notify-drop');
    fireEvent.click(drop);
    await waitFor(() => expect(screen.getByTestId('fault-notify-drop').textContent).toBe('ON'));
    expect(taro.server.sent('POST', /^\/sandbox\/faults$/)[0]?.body).toEqual({ notifications: { drop: true } });
    fireEvent.click(screen.getByTestId('faults-reset'));
    await waitFor(() => expect(screen.getByTestId('fault-notify-drop').textContent).toBe('off'));
  });

  it('shows what went wrong when the sandbox refuses', async () => {
    serveSandbox();
    taro.server.on('POST', /^\/sandbox\/demo$/, 'network-error');
    render(<DevPage />);
    await screen.findByText(/moved 0 s/);
    fireEvent.click(screen.getByTestId('new-demo-single'));
    expect((await screen.findByTestId('dev-error')).textContent).toContain('NETWORK_ERROR');
  });

  it("shows the demo link's mini program code, its URL Link (asked as the demo shop) and the DevTools launch queries", async () => {
    serveSandbox();
    taro.server.on('POST', /^\/sandbox\/demo$/, ok(demo('single'), 201));
    taro.server.on('GET', /^\/v1\/links\/lnk_1\/url-link$/, ok({ url_link: 'https://wxaurl.cn/AbCdEf', expires_at: '2030-05-02T08:00:00.000Z' }));
    render(<DevPage />);
    await screen.findByText(/moved 0 s/);
    fireEvent.click(screen.getByTestId('new-demo-single'));

    await waitFor(() => expect(screen.getByTestId('demo-url-link').textContent).toBe('https://wxaurl.cn/AbCdEf'));
    expect(screen.getByTestId('demo-code-image').querySelector('img')?.getAttribute('src')).toBe('https://api.test/p/lnk_1.abc/qr.png');
    expect(taro.server.sent('GET', /url-link$/)[0]?.headers.authorization).toBe('Bearer fp_key_demo');
    expect(screen.getByTestId('devtools-query-t').textContent).toBe(`t=${TOKEN}`);
    expect(screen.getByTestId('devtools-query-scene').textContent).toBe('scene=lnk_1.abc');
    expect(screen.getByTestId('devtools-query-q').textContent).toBe('q=https%3A%2F%2Fapi.test%2Fp%2Flnk_1.abc');
    fireEvent.click(screen.getByTestId('copy-url-link'));
    expect(taro.clipboard).toEqual(['https://wxaurl.cn/AbCdEf']);
  });

  it("says why the URL Link could not be had (WeChat's quota), and switches that quota fault", async () => {
    serveSandbox();
    taro.server.on('POST', /^\/sandbox\/demo$/, ok(demo('single'), 201));
    taro.server.on('GET', /url-link$/, problem('WECHAT_QUOTA_EXCEEDED'));
    taro.server.on('POST', /^\/sandbox\/faults$/, ok({ ...faultsOff, wechat_api: { faults: { generate_urllink: { errcode: 45009, remaining: null } } } }));
    render(<DevPage />);
    await screen.findByText(/moved 0 s/);
    fireEvent.click(screen.getByTestId('new-demo-single'));
    await waitFor(() => expect(screen.getByTestId('demo-url-link').textContent).toContain('WECHAT_QUOTA_EXCEEDED (503)'));

    fireEvent.click(screen.getByTestId('fault-wechat-urllink-quota'));
    await waitFor(() => expect(screen.getByTestId('fault-wechat-urllink-quota').textContent).toBe('ON'));
    expect(taro.server.sent('POST', /^\/sandbox\/faults$/)[0]?.body).toEqual({ wechat_api: { faults: { generate_urllink: { errcode: 45009 } } } });
    expect(screen.getByTestId('fault-wechat-code-quota').textContent).toBe('off');
    fireEvent.click(screen.getByTestId('revoke-access-tokens'));
    await waitFor(() => expect(taro.server.sent('POST', /^\/sandbox\/faults$/)).toHaveLength(2));
    expect(taro.server.sent('POST', /^\/sandbox\/faults$/)[1]?.body).toEqual({ wechat_api: { revoke_access_tokens: true } });
  });

  it('switches the chat faults (WeChat refusing messages, card updates failing) on and off', async () => {
    serveSandbox();
    taro.server.on('GET', /^\/sandbox\/wx\/message-faults$/, ok({ faults: [] }));
    taro.server.on('POST', /^\/sandbox\/wx\/message-faults$/, (request) => ok({ faults: [{ ...(request.body as object), remaining: null }] }));
    taro.server.on('DELETE', /^\/sandbox\/wx\/message-faults$/, ok({ faults: [] }));
    render(<DevPage />);
    const refused = await screen.findByTestId('chat-fault-subscribe-refused');
    expect(refused.textContent).toBe('off');
    fireEvent.click(refused);
    await waitFor(() => expect(screen.getByTestId('chat-fault-subscribe-refused').textContent).toBe('ON'));
    expect(taro.server.sent('POST', /^\/sandbox\/wx\/message-faults$/)[0]?.body).toEqual({ api: 'subscribe_send', errcode: 43101 });
    expect(screen.getByTestId('chat-fault-card-busy').textContent).toBe('off');
    fireEvent.click(screen.getByTestId('chat-fault-subscribe-refused'));
    await waitFor(() => expect(screen.getByTestId('chat-fault-subscribe-refused').textContent).toBe('off'));
  });

  it('makes a private demo link', async () => {
    serveSandbox();
    taro.server.on('POST', /^\/sandbox\/demo$/, ok(demo('single'), 201));
    render(<DevPage />);
    await screen.findByText(/moved 0 s/);
    fireEvent.click(screen.getByTestId('new-demo-private'));
    await screen.findByTestId('demo-link');
    expect(taro.server.sent('POST', /^\/sandbox\/demo$/)[0]?.body).toEqual({ mode: 'single', audience: 'private' });
  });

  it('reads the server clock again after every action, so a move made elsewhere shows', async () => {
    serveSandbox();
    taro.server.on('POST', /^\/sandbox\/demo$/, (request) => ok(demo((request.body as { mode: 'single' | 'group' }).mode), 201));
    render(<DevPage />);
    await screen.findByText(/moved 0 s/);
    // Another tab moves the clock; the next action here shows it.
    taro.server.on('GET', /^\/sandbox\/clock$/, ok({ now: '2030-05-01T09:00:00.000Z', offset_seconds: 3600 }));
    fireEvent.click(screen.getByTestId('new-demo-single'));
    expect((await screen.findByText(/moved 3600 s/)).textContent).toContain('2030-05-01T09:00:00.000Z');
  });

  it("shows the demo shop's API key and ready curl lines, and copies them", async () => {
    serveSandbox();
    taro.storage.set('friend-pay:dev-demo', demo('single'));
    render(<DevPage />);
    expect((await screen.findByTestId('demo-api-key')).textContent).toContain('fp_key_demo');
    const curl = screen.getByTestId('demo-curl').textContent ?? '';
    expect(curl).toContain("curl -H 'Authorization: Bearer fp_key_demo' https://api.test/v1/links/lnk_1");
    expect(curl).toContain('curl -X POST');
    expect(curl).toContain('https://api.test/v1/pay/lnk_1.abc');
    fireEvent.click(screen.getByTestId('copy-curl'));
    expect(taro.clipboard[0]?.split('\n')).toHaveLength(7);
  });

  it('revokes the link and cancels the order with the demo key, then shows the link as it is now', async () => {
    serveSandbox();
    taro.storage.set('friend-pay:dev-demo', demo('single'));
    taro.server.on('POST', /^\/v1\/links\/lnk_1\/revoke$/, ok({ id: 'lnk_1', status: 'revoked' }));
    taro.server.on('POST', /^\/v1\/orders\/ord_1\/cancel$/, ok({ id: 'ord_1', status: 'cancelled' }));
    render(<DevPage />);
    await waitFor(() => expect(screen.getByTestId('demo-status').textContent).toContain('active (等待付款)'));
    taro.server.on('GET', /^\/v1\/links\/lnk_1$/, ok({ id: 'lnk_1', status: 'revoked', amount_paid: 0, amount_total: 1234 }));
    fireEvent.click(screen.getByTestId('revoke-link'));
    await waitFor(() => expect(screen.getByTestId('demo-status').textContent).toContain('revoked (已撤回)'));
    const revoke = taro.server.sent('POST', /\/revoke$/)[0];
    expect(revoke?.headers.authorization).toBe('Bearer fp_key_demo');
    fireEvent.click(screen.getByTestId('cancel-order'));
    await waitFor(() => expect(taro.server.sent('POST', /^\/v1\/orders\/ord_1\/cancel$/)).toHaveLength(1));
  });

  it('lists the webhooks the sandbox received for the demo shop', async () => {
    serveSandbox();
    taro.storage.set('friend-pay:dev-demo', demo('single'));
    taro.server.on('GET', /^\/sandbox\/webhooks\?shop_id=shp_1$/, ok({ webhooks: [{ id: 'evt_1', type: 'link.paid', shop_id: 'shp_1', received_at: '2030-05-01T08:00:05.000Z', signature_valid: true, data: {} }] }));
    render(<DevPage />);
    expect((await screen.findByTestId('webhook-0')).textContent).toBe('link.paid · 2030-05-01 16:00:05 · signature OK');
  });
});
