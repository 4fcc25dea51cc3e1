/** Plays friends and shops against a test server: sandbox login, payments, the sandbox pay sheet, a webhook receiver. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CreatePaymentResponse, IssuedLinkResponse, SessionResponse } from '../../shared/api-types';
import { createShop, type CreatedShop } from '../../server/src/shops/shop-service';
import type { Answer, TestServer } from './test-server';

/** A logged-in friend. */
export interface Friend {
  openid: string;
  token: string;
}

/** Logs a friend in the way the sandbox mini program does: sandbox login code, then a session. */
export async function loginFriend(server: TestServer, openid: string): Promise<Friend> {
  const login = await server.call<{ code: string }>('POST', '/sandbox/wx/login', { body: { openid } });
  if (login.status !== 200 && login.status !== 201) throw new Error(`sandbox login failed: ${login.status} ${login.text}`);
  const session = await server.call<SessionResponse>('POST', '/v1/sessions', { body: { code: login.json.code } });
  if (session.status !== 201) throw new Error(`session failed: ${session.status} ${session.text}`);
  return { openid, token: session.json.session_token };
}

let keyCounter = 0;

/** `POST /v1/pay/{ref}/payments` as `friend`. */
export function startPayment(server: TestServer, friend: Friend, ref: string, options: { amount?: number; key?: string; payerName?: string } = {}): Promise<Answer<CreatePaymentResponse & { code?: string; retry_after?: number }>> {
  return server.call('POST', `/v1/pay/${ref}/payments`, {
    headers: { authorization: `Bearer ${friend.token}`, 'idempotency-key': options.key ?? `pay-key-${process.pid}-${++keyCounter}` },
    body: { ...(options.amount === undefined ? {} : { amount: options.amount }), ...(options.payerName === undefined ? {} : { payer_name: options.payerName }) },
  });
}

/** The friend confirms (or cancels, or fails) in the sandbox pay sheet. */
export async function payInSheet(server: TestServer, friend: Friend, created: CreatePaymentResponse, outcome: 'success' | 'cancel' | 'fail' = 'success'): Promise<Answer> {
  if (created.sandbox === undefined) throw new Error('no sandbox pay sheet parameters in the payment');
  return server.call('POST', '/sandbox/wechatpay/pay', { body: { prepay_id: created.sandbox.prepay_id, openid: friend.openid, outcome } });
}

/** Polls `check` until it returns a value (async work: notifications, deliveries), or fails after `ms`. */
export async function eventually<T>(check: () => Promise<T | undefined | false>, ms = 5000, what = 'condition'): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A request a webhook receiver got. */
export interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A shop's webhook endpoint on loopback that records what it receives and answers `status()`. */
export async function startWebhookReceiver(status: (index: number) => number = () => 200): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.statusCode = status(received.length - 1);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A shop with a webhook URL, an order of `amount` fen and a link in `mode`. */
export async function shopWithLink(server: TestServer, options: { amount?: number; mode?: 'single' | 'group'; webhookUrl?: string; ttlSeconds?: number } = {}): Promise<{ shop: CreatedShop; orderId: string; link: IssuedLinkResponse }> {
  const shop = await createShop(server.deps, { name: 'Tea House', ...(options.webhookUrl ? { webhookUrl: options.webhookUrl } : {}) });
  const amount = options.amount ?? 1000;
  const order = await server.newOrder(shop, { amount_total: amount, items: [{ title: 'Tea', quantity: 1, unit_price: amount }] });
  const link = await server.call<IssuedLinkResponse>('POST', `/v1/orders/${order.id}/links`, {
    key: shop.api_key,
    body: { requester: { id: 'shopper-1', name: '王小二' }, mode: options.mode ?? 'single', ttl_seconds: options.ttlSeconds ?? 24 * 3600 },
  });
  if (link.status !== 201) throw new Error(`issuing a link failed: ${link.status} ${link.text}`);
  return { shop, orderId: order.id, link: link.json };
}
