import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IssuedLinkResponse } from '../../shared/api-types';
import { openSqliteStore } from '../../server/src/store/sqlite/sqlite-store';
import type { CreatedShop } from '../../server/src/shops/shop-service';
import { loginFriend, type Friend } from '../support/friends';
import { orderBody, startTestServer, type TestServer } from '../support/test-server';

/** Strings that have broken other systems: injection, markup, encodings, sizes. */
const hostileStrings = [
  '', ' ', 'a'.repeat(10_000), '\u0000', 'abc\u0000def', '😀'.repeat(50), '\u202Eevil\u202C', 'ﷺ', 'Z͑ͫ̓ͪ̂ͫ̽͏̴̙̤̞͉͚̯̞̠͍',
  "' OR 1=1 --", '"; DROP TABLE orders; --', '<script>alert(1)</script>', '<img src=x onerror=alert(1)>', 'javascript:alert(1)',
  '../../etc/passwd', '%2e%2e%2f', '${7*7}', '{{7*7}}', '\r\nX-Injected: 1', '\uFEFF', '\uD800',
];
/** What the API accepts as free text of at most `max` characters; everything else must be refused. */
const legalText = (value: string, max: number): boolean =>
  Array.from(value).length <= max && value.trim() !== '' && !/[\u0000-\u001f\u007f\u202a-\u202e\u2066-\u2069]/.test(value) && value.isWellFormed();
/** The same for optional text (a message, an address line), which may also be blank. */
const legalOptionalText = (value: string, max: number): boolean =>
  Array.from(value).length <= max && !/[\u0000-\u001f\u007f\u202a-\u202e\u2066-\u2069]/.test(value) && value.isWellFormed();
const hostileNumbers: unknown[] = [0, -1, -0, 1.5, 0.1 + 0.2, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, 2 ** 53, '100', null, true, [], {}, '1e3', 'NaN'];

describe('hostile input', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'friend-pay-hostile-'));
  const file = path.join(dir, 'hostile.sqlite');
  let server: TestServer;
  let shop: CreatedShop;
  let orderId: string;
  let link: IssuedLinkResponse;
  let friend: Friend;
  let tried = 0;
  let counts: () => Record<string, number>;

  beforeAll(async () => {
    server = await startTestServer({ RATE_LIMIT_FRIEND_VIEWS_PER_MINUTE: '100000', RATE_LIMIT_SHOP_PER_MINUTE: '100000', RATE_LIMIT_PAYMENTS_PER_MINUTE: '100000', RATE_LIMIT_SESSIONS_PER_MINUTE: '100000' }, { store: openSqliteStore(file) });
    shop = await server.newShop();
    orderId = (await server.newOrder(shop)).id;
    link = (await server.call<IssuedLinkResponse>('POST', `/v1/orders/${orderId}/links`, { key: shop.api_key, body: { requester: { id: 'r', name: 'Rui' }, mode: 'group' } })).json;
    friend = await loginFriend(server, 'o_hostile');
    const db = new Database(file, { readonly: true });
    counts = () => Object.fromEntries(['shops', 'orders', 'links', 'payments', 'refunds', 'events', 'idempotency_keys'].map((table) => [table, (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n]));
  });
  afterAll(async () => {
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
    console.info(`hostile input: ${tried} requests tried`);
  });

  /** Sends one request and checks it is refused cleanly: a 4xx problem, never a 500 or a stack. */
  async function refused(method: string, urlPath: string, options: { body?: unknown; rawBody?: string; key?: string; headers?: Record<string, string> }, what: string): Promise<void> {
    tried += 1;
    const answer = await server.call(method, urlPath, options);
    expect(answer.status, `${what}: ${answer.text.slice(0, 200)}`).toBeGreaterThanOrEqual(400);
    expect(answer.status, what).toBeLessThan(500);
    expect(answer.headers.get('content-type') ?? '', what).toMatch(/problem\+json|text\/html/);
    expect(answer.text, what).not.toMatch(/at .*\.(ts|js):\d+|node_modules/);
  }

  it('refuses every malformed order without storing anything', async () => {
    const before = counts();
    const base = orderBody(server.deps.clock.now());
    const raw = ['{', '[]', 'null', '"order"', '{"a":1,"a":2}', `{"shop_order_id":"x","shop_order_id":"y"}`, '{"amount_total": 1e400}', '\u0000', 'x'.repeat(17_000)];
    for (const body of raw) await refused('POST', '/v1/orders', { key: shop.api_key, rawBody: body }, `raw ${body.slice(0, 30)}`);
    for (const field of ['shop_order_id', 'shopper_id', 'pay_deadline', 'currency'] as const) {
      for (const value of hostileStrings) {
        if (field === 'shopper_id' && legalText(value, 64)) continue; // a legal shopper id
        await refused('POST', '/v1/orders', { key: shop.api_key, body: { ...base, shop_order_id: `h-${crypto.randomUUID()}`, [field]: value } }, `${field}=${JSON.stringify(value).slice(0, 30)}`);
      }
    }
    for (const value of hostileNumbers) {
      await refused('POST', '/v1/orders', { key: shop.api_key, body: { ...base, shop_order_id: `h-${crypto.randomUUID()}`, amount_total: value } }, `amount_total=${JSON.stringify(value)}`);
      await refused('POST', '/v1/orders', { key: shop.api_key, body: { ...base, shop_order_id: `h-${crypto.randomUUID()}`, items: [{ title: 't', quantity: value, unit_price: 1234 }] } }, `quantity=${JSON.stringify(value)}`);
    }
    // Every other free-text field of an order, each with every hostile string it must refuse.
    const textFields: [string, number, (value: string) => Record<string, unknown>][] = [
      ['item title', 100, (value) => ({ items: [{ title: value, quantity: 1, unit_price: 1234 }] })],
      ['ship_to.name', 100, (value) => ({ ship_to: { name: value } })],
      ['ship_to.address', 300, (value) => ({ ship_to: { address: value } })],
      ['item image_url', 500, (value) => ({ items: [{ title: 't', quantity: 1, unit_price: 1234, image_url: value }] })],
    ];
    for (const [name, max, shape] of textFields) {
      for (const value of hostileStrings) {
        const legal = name === 'item image_url' ? false : name.startsWith('ship_to') ? legalOptionalText(value, max) : legalText(value, max);
        if (legal) continue;
        await refused('POST', '/v1/orders', { key: shop.api_key, body: { ...base, shop_order_id: `h-${crypto.randomUUID()}`, ...shape(value) } }, `${name}=${JSON.stringify(value).slice(0, 30)}`);
      }
    }
    // Bodies in another charset or encoding than they claim (issue 15): never read past the duplicate-key guard, never a 500.
    const duplicated = JSON.stringify(base).replace('{', '{"amount_total":1,');
    for (const type of ['application/json; charset=utf-16le', 'application/json; charset=utf-16be', 'application/json; charset=utf-16', 'application/json; charset=utf-32', 'application/json; charset=latin1']) {
      await refused('POST', '/v1/orders', { key: shop.api_key, rawBody: duplicated, headers: { 'content-type': type } }, `charset ${type}`);
    }
    for (const encoding of ['gzip', 'deflate', 'br', 'compress', 'identity, gzip']) {
      await refused('POST', '/v1/orders', { key: shop.api_key, rawBody: JSON.stringify(base), headers: { 'content-encoding': encoding } }, `content-encoding ${encoding}`);
    }
    const manyItems = Array.from({ length: 10_000 }, () => ({ title: 'x', quantity: 1, unit_price: 0 }));
    await refused('POST', '/v1/orders', { key: shop.api_key, body: { ...base, items: manyItems } }, '10,000 items');
    for (const title of ['\u0000', 'a'.repeat(101), '']) {
      await refused('POST', '/v1/orders', { key: shop.api_key, body: { ...base, shop_order_id: `h-${crypto.randomUUID()}`, items: [{ title, quantity: 1, unit_price: 1234 }] } }, `title ${title.length}`);
    }
    expect(counts()).toEqual(before);
  });

  it('refuses every malformed link request and friend reference without storing anything', async () => {
    const before = counts();
    for (const value of hostileStrings) {
      if (legalText(value, 40)) continue; // a legal requester name
      await refused('POST', `/v1/orders/${orderId}/links`, { key: shop.api_key, body: { requester: { id: 'r', name: value } } }, `name=${JSON.stringify(value).slice(0, 30)}`);
    }
    for (const value of hostileNumbers) await refused('POST', `/v1/orders/${orderId}/links`, { key: shop.api_key, body: { requester: { id: 'r', name: 'n' }, ttl_seconds: value } }, `ttl=${JSON.stringify(value)}`);
    for (const value of hostileStrings) {
      if (!legalOptionalText(value, 200)) await refused('POST', `/v1/orders/${orderId}/links`, { key: shop.api_key, body: { requester: { id: 'r', name: 'n' }, message: value } }, `message=${JSON.stringify(value).slice(0, 30)}`);
      if (!legalText(value, 64)) await refused('POST', `/v1/orders/${orderId}/links`, { key: shop.api_key, body: { requester: { id: value, name: 'n' } } }, `requester.id=${JSON.stringify(value).slice(0, 30)}`);
      await refused('POST', `/v1/orders/${orderId}/links`, { key: shop.api_key, body: { requester: { id: 'r', name: 'n', avatar_url: value } } }, `avatar_url=${JSON.stringify(value).slice(0, 30)}`);
    }
    for (const mode of ['both', '', 'SINGLE', 1]) await refused('POST', `/v1/orders/${orderId}/links`, { key: shop.api_key, body: { requester: { id: 'r', name: 'n' }, mode } }, `mode=${String(mode)}`);
    // A lone surrogate cannot be put in a URL at all.
    for (const value of hostileStrings.filter((s) => s.length < 200 && s.isWellFormed())) {
      await refused('GET', `/v1/pay/${encodeURIComponent(value) || '%20'}`, {}, `ref=${JSON.stringify(value).slice(0, 30)}`);
      await refused('GET', `/p/${encodeURIComponent(value) || '%20'}`, {}, `landing ref=${JSON.stringify(value).slice(0, 30)}`);
    }
    // Malformed escapes in a path parameter and other letter cases of the routes (issue 15): 400 and 404, never a 500.
    for (const path of [`/v1/pay/${link.code}%zz`, `/v1/pay/%E0%A4${link.token}`, `/v1/pay/${link.token}%`, `/p/${link.code}%zz`, `/p/%C0%AF`, `/V1/PAY/${link.token}`, `/v1/Pay/${link.code}`, `/P/${link.code}`, `/v1/orders/%zz`, `/v1/links/%zz/qr.png`]) {
      await refused('GET', path, { key: shop.api_key }, `path ${path.slice(0, 40)}`);
    }
    for (const path of [`/v1/payments/pay_x%zz`, `/v1/payments/%ff/cancel`]) {
      await refused(path.endsWith('cancel') ? 'POST' : 'GET', path, { headers: { authorization: `Bearer ${friend.token}` } }, `payment path ${path}`);
    }
    const claims = jwt.decode(link.token) as Record<string, unknown>;
    const key = server.deps.keyring.signing.tokenKey;
    const tokens: Record<string, string> = {
      none: jwt.sign(claims, null, { algorithm: 'none', keyid: 'k1' }),
      kidTraversal: jwt.sign(claims, key, { algorithm: 'HS256', keyid: '../../k1' }),
      kidQuote: jwt.sign(claims, key, { algorithm: 'HS256', keyid: `k1"' OR 1=1` }),
      notBefore: jwt.sign({ ...claims, nbf: Math.floor(server.deps.clock.now() / 1000) + 3600 }, key, { algorithm: 'HS256', keyid: 'k1' }),
      wrongAudience: jwt.sign({ ...claims, aud: 'friend-pay-session' }, key, { algorithm: 'HS256', keyid: 'k1' }),
      huge: jwt.sign({ ...claims, pad: 'x'.repeat(9000) }, key, { algorithm: 'HS256', keyid: 'k1' }),
      truncated: link.token.slice(0, -5),
      withWhitespace: ` ${link.token}`,
    };
    for (const [name, token] of Object.entries(tokens)) {
      await refused('GET', `/v1/pay/${encodeURIComponent(token)}`, {}, `token ${name}`);
      await refused('POST', `/v1/pay/${encodeURIComponent(token)}/payments`, { headers: { authorization: `Bearer ${friend.token}`, 'idempotency-key': crypto.randomUUID() }, body: { amount: 1 } }, `pay with token ${name}`);
    }
    for (const value of hostileNumbers) {
      await refused('POST', `/v1/pay/${link.code}/payments`, { headers: { authorization: `Bearer ${friend.token}`, 'idempotency-key': crypto.randomUUID() }, body: { amount: value } }, `amount=${JSON.stringify(value)}`);
    }
    await refused('POST', `/v1/pay/${link.code}/payments`, { headers: { authorization: `Bearer ${friend.token}`, 'idempotency-key': crypto.randomUUID() }, body: { amount: 1_000_000 } }, 'amount above due');
    for (const session of ['', 'Bearer', `Bearer ${link.token}`, 'Bearer x.y.z', `Basic ${friend.token}`]) {
      await refused('POST', `/v1/pay/${link.code}/payments`, { headers: { authorization: session, 'idempotency-key': crypto.randomUUID() }, body: { amount: 1 } }, `session ${session.slice(0, 20)}`);
    }
    for (const code of ['', 'a'.repeat(200), '<script>', '\u0000']) await refused('POST', '/v1/sessions', { body: { code } }, `login code ${code.slice(0, 10)}`);
    expect(counts()).toEqual(before);
  });

  it('refuses forged notifications and sandbox abuse with 4xx', async () => {
    const before = counts();
    const bodies = ['', '{}', 'not json', JSON.stringify({ id: 'x', resource: { ciphertext: 'AAAA', nonce: 'n', associated_data: 'transaction', algorithm: 'AEAD_AES_256_GCM' } })];
    for (const rawBody of bodies) {
      tried += 1;
      const answer = await fetch(`${server.url}/v1/wechatpay/notify`, { method: 'POST', headers: { 'content-type': 'application/json', 'wechatpay-timestamp': String(Math.floor(Date.now() / 1000)), 'wechatpay-nonce': 'n', 'wechatpay-serial': 'PUB_KEY_ID_x', 'wechatpay-signature': 'AAAA' }, body: rawBody });
      expect(answer.status).toBeGreaterThanOrEqual(400);
      expect(answer.status).toBeLessThan(500);
    }
    for (const body of [{ advance_seconds: -1 }, { advance_seconds: 'x' }, { advance_seconds: 1e12 }, {}]) await refused('POST', '/sandbox/clock', { body }, `clock ${JSON.stringify(body)}`);
    expect(counts()).toEqual(before);
  });
});
