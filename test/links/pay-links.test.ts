import crypto from 'node:crypto';
import jwt from 'jsonwebtoken';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FriendView, IssuedLinkResponse } from '../../shared/api-types';
import { sweepOnce } from '../../server/src/links/expiry-sweeper';
import type { CreatedShop } from '../../server/src/shops/shop-service';
import { countingStore, type CountingStore } from '../support/counting-store';
import { qrTextOf, sandboxCodeTarget } from '../support/mini-program';
import { createTestDatabase, openTestStore } from '../support/test-database';
import { engines, startTestServer, testSigningKey, type TestServer } from '../support/test-server';

const requester = { id: 'shopper-1', name: '张三', avatar_url: 'https://img.example.com/a.png' };

describe.each(engines)('pay links (%s)', (engine) => {
  let server: TestServer;
  let counter: CountingStore;
  let shop: CreatedShop;
  const signingKey = testSigningKey('k1');

  beforeEach(async () => {
    counter = countingStore(await openTestStore(engine));
    server = await startTestServer({ LINK_SIGNING_KEYS: signingKey }, { store: counter.store });
    shop = await server.newShop();
  });
  afterEach(async () => server.stop());

  async function issue(body: Record<string, unknown> = {}, orderOverrides = {}): Promise<IssuedLinkResponse> {
    const order = await server.newOrder(shop, orderOverrides);
    const answer = await server.call<IssuedLinkResponse>('POST', `/v1/orders/${order.id}/links`, { key: shop.api_key, body: { requester, message: '帮我付一下', ...body } });
    expect(answer.status, answer.text).toBe(201);
    return answer.json;
  }

  it('issues a link whose token, code, url, share card and QR all name it', async () => {
    const link = await issue();
    expect(link.status).toBe('active');
    expect(link.mode).toBe('single');
    expect(link.code.length).toBeLessThanOrEqual(32);
    expect(link.code).toMatch(/^[0-9A-Za-z._-]+$/);
    expect(link.url).toBe(`${server.deps.publicBaseUrl}/p/${link.code}`);
    expect(link.share.path).toBe(`/pages/pay/index?t=${link.token}`);
    expect(link.share.title).toBe('帮我付一下：¥12.34');
    expect(link.qr_url).toBe(`${server.deps.publicBaseUrl}/v1/links/${link.id}/qr.png`);
    const header = JSON.parse(Buffer.from(link.token.split('.')[0], 'base64url').toString()) as Record<string, unknown>;
    expect(header).toMatchObject({ alg: 'HS256', kid: 'k1' });
    const claims = jwt.decode(link.token) as Record<string, unknown>;
    expect(Object.keys(claims).sort()).toEqual(['aud', 'exp', 'iat', 'lid', 'oid']);
    expect(claims).toMatchObject({ lid: link.id, aud: 'friend-pay' });
  });

  it('shows the friend the same link by token and by code, with the requester masked', async () => {
    const link = await issue();
    for (const ref of [link.token, link.code]) {
      const answer = await server.call<FriendView>('GET', `/v1/pay/${ref}`);
      expect(answer.status).toBe(200);
      expect(answer.json.link).toMatchObject({ status: 'active', mode: 'single', message: '帮我付一下', requester: { name: '张*', avatar_url: requester.avatar_url } });
      expect(answer.json.shop.name).toBe('Test Shop');
      expect(answer.json.order).toMatchObject({ amount_total: 1234, amount_paid: 0, amount_due: 1234, currency: 'CNY' });
      expect(answer.json.order.items).toHaveLength(2);
      expect(Date.parse(answer.json.server_time)).toBeGreaterThan(0);
      expect(answer.text).not.toContain('张三');
      expect(answer.json.link.url).toBe(link.url);
    }
  });

  it('answers 400 for a tampered token or code without reading the store', async () => {
    const link = await issue();
    const [header, payload, signature] = link.token.split('.') as [string, string, string];
    const flipped = (text: string, at: number) => text.slice(0, at) + (text[at] === 'A' ? 'B' : 'A') + text.slice(at + 1);
    const tampered = [
      `${header}.${payload}.${flipped(signature, 5)}`,
      `${header}.${Buffer.from(JSON.stringify({ ...(jwt.decode(link.token) as object), lid: 'lnk_AAAAAAAAAAAA' })).toString('base64url')}.${signature}`,
      flipped(link.code, link.code.length - 3),
      `lnk_AAAAAAAAAAAA.${link.code.split('.')[1]}`,
      'not-a-link',
    ];
    for (const ref of tampered) {
      counter.reset();
      const answer = await server.call('GET', `/v1/pay/${ref}`);
      expect(answer.status, ref).toBe(400);
      expect(answer.json).toMatchObject({ code: 'LINK_INVALID', status: 400 });
      expect(answer.headers.get('content-type')).toContain('application/problem+json');
      expect(counter.total(), `store calls for ${ref}: ${JSON.stringify([...counter.calls])}`).toBe(0);
    }
  });

  it('rejects alg none, RS256/HS256 confusion, an unknown kid and a wrong audience', async () => {
    const link = await issue();
    const claims = jwt.decode(link.token) as Record<string, unknown>;
    const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const secret = signingKey.slice(3);
    const forged = {
      none: jwt.sign(claims, null, { algorithm: 'none', keyid: 'k1' }),
      rs256: jwt.sign(claims, privateKey, { algorithm: 'RS256', keyid: 'k1' }),
      hsWithPublicKey: `${Buffer.from(JSON.stringify({ alg: 'HS256', kid: 'k1' })).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${crypto.createHmac('sha256', publicPem).update('x').digest('base64url')}`,
      unknownKid: jwt.sign(claims, crypto.randomBytes(32), { algorithm: 'HS256', keyid: 'k9' }),
      kidInjection: jwt.sign(claims, crypto.randomBytes(32), { algorithm: 'HS256', keyid: '../k1' }),
      rawSecretNotDerived: jwt.sign(claims, secret, { algorithm: 'HS256', keyid: 'k1' }),
      wrongAudience: jwt.sign({ ...claims, aud: 'someone-else' }, crypto.randomBytes(32), { algorithm: 'HS256', keyid: 'k1' }),
    };
    for (const [name, token] of Object.entries(forged)) {
      counter.reset();
      const answer = await server.call('GET', `/v1/pay/${token}`);
      expect(answer.status, name).toBe(400);
      expect(answer.json, name).toMatchObject({ code: 'LINK_INVALID' });
      expect(counter.total(), name).toBe(0);
    }
  });

  it('rejects a correctly signed token for the wrong audience', async () => {
    // Signed with the server's own token key, so only the audience check can stop it.
    const link = await issue();
    const claims = jwt.decode(link.token) as Record<string, unknown>;
    const tokenKey = server.deps.keyring.signing.tokenKey;
    const wrongAudience = jwt.sign({ ...claims, aud: 'friend-pay-session' }, tokenKey, { algorithm: 'HS256', keyid: 'k1' });
    const rightAudience = jwt.sign(claims, tokenKey, { algorithm: 'HS256', keyid: 'k1' });
    expect((await server.call('GET', `/v1/pay/${wrongAudience}`)).status).toBe(400);
    expect((await server.call('GET', `/v1/pay/${rightAudience}`)).status).toBe(200);
  });

  it('answers 404 LINK_NOT_FOUND for a validly signed ref to a link that does not exist', async () => {
    const { signLinkCode } = await import('../../server/src/links/link-code');
    const code = signLinkCode(server.deps.keyring, 'lnk_Nonexistent1');
    const answer = await server.call('GET', `/v1/pay/${code}`);
    expect(answer.status).toBe(404);
    expect(answer.json).toMatchObject({ code: 'LINK_NOT_FOUND' });
  });

  it('shows a revoked link as revoked, to the friend and to the shop', async () => {
    const link = await issue();
    const revoked = await server.call('POST', `/v1/links/${link.id}/revoke`, { key: shop.api_key });
    expect(revoked.status).toBe(200);
    expect(revoked.json).toMatchObject({ status: 'revoked' });
    expect((await server.call<FriendView>('GET', `/v1/pay/${link.code}`)).json.link.status).toBe('revoked');
    expect((await server.call('GET', `/v1/links/${link.id}`, { key: shop.api_key })).json).toMatchObject({ status: 'revoked' });
    const events = await server.deps.store.listEvents(shop.id, 10);
    expect(events.map((event) => event.type)).toEqual(['link.revoked']);
  });

  it('expires a link once the clock passes its expiry, and the sweeper records it', async () => {
    const link = await issue({ ttl_seconds: 120 });
    const other = await issue({ ttl_seconds: 120 });
    server.sandboxClock!.advance(60);
    expect((await server.call<FriendView>('GET', `/v1/pay/${link.token}`)).json.link.status).toBe('active');

    const moved = await server.call('POST', '/sandbox/clock', { body: { advance_seconds: 61 } });
    expect(moved.status).toBe(200);
    // Nobody has read `other` since; the sweeper must expire it on its own.
    const swept = await sweepOnce(server.deps);
    expect(swept.linksExpired).toBe(2);
    expect((await server.call<FriendView>('GET', `/v1/pay/${link.token}`)).json.link.status).toBe('expired');
    expect((await server.call('GET', `/v1/links/${other.id}`, { key: shop.api_key })).json).toMatchObject({ status: 'expired' });
    const events = await server.deps.store.listEvents(shop.id, 10);
    expect(events.filter((event) => event.type === 'link.expired').map((event) => (event.payload as { link_id: string }).link_id).sort()).toEqual([link.id, other.id].sort());
    expect((await sweepOnce(server.deps)).linksExpired).toBe(0);
  });

  it('expires a link on read even before the sweeper runs', async () => {
    const link = await issue({ ttl_seconds: 60 });
    server.sandboxClock!.advance(61);
    expect((await server.call<FriendView>('GET', `/v1/pay/${link.code}`)).json.link.status).toBe('expired');
    expect((await sweepOnce(server.deps)).linksExpired).toBe(0);
  });

  it("caps a link's expiry at the order's pay deadline", async () => {
    const deadline = server.deps.clock.now() + 600_000;
    const link = await issue({ ttl_seconds: 7 * 24 * 3600 }, { pay_deadline: new Date(deadline).toISOString() });
    expect(Date.parse(link.expires_at)).toBe(Math.floor(deadline / 1000) * 1000);
    server.sandboxClock!.advance(601);
    expect((await server.call<FriendView>('GET', `/v1/pay/${link.token}`)).json.link.status).toBe('expired');
  });

  it('refuses a ttl outside 60 seconds to 7 days with 422', async () => {
    const order = await server.newOrder(shop);
    for (const ttl of [59, 7 * 24 * 3600 + 1, 0, -5, 3600.5]) {
      const answer = await server.call('POST', `/v1/orders/${order.id}/links`, { key: shop.api_key, body: { requester, ttl_seconds: ttl } });
      expect(answer.status, String(ttl)).toBe(422);
      expect(answer.json).toMatchObject({ code: 'TTL_INVALID' });
    }
    for (const ttl of [60, 7 * 24 * 3600]) {
      expect((await server.call('POST', `/v1/orders/${order.id}/links`, { key: shop.api_key, body: { requester, ttl_seconds: ttl } })).status).toBe(201);
    }
  });

  it('refuses to revoke a paid link with 409 LINK_PAID', async () => {
    const link = await issue();
    await server.deps.store.transitionLink({ id: link.id, from: ['active'], to: 'paid', at: server.deps.clock.now() });
    const answer = await server.call('POST', `/v1/links/${link.id}/revoke`, { key: shop.api_key });
    expect(answer.status).toBe(409);
    expect(answer.json).toMatchObject({ code: 'LINK_PAID' });
  });

  it("serves the link's mini program code PNG to its shop only", async () => {
    const link = await issue();
    const answer = await fetch(`${server.url}/v1/links/${link.id}/qr.png`, { headers: { authorization: `Bearer ${shop.api_key}` } });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('image/png');
    const png = Buffer.from(await answer.arrayBuffer());
    expect(qrTextOf(png)).toBe(sandboxCodeTarget(server.url, link.code));
    const stranger = await server.newShop('Other');
    expect((await fetch(`${server.url}/v1/links/${link.id}/qr.png`, { headers: { authorization: `Bearer ${stranger.api_key}` } })).status).toBe(404);
  });
});

describe.each(engines)('signing key rotation (%s)', (engine) => {
  it('verifies links signed with an old key while it is configured, and rejects them once removed', async () => {
    const oldKey = testSigningKey('old');
    const newKey = testSigningKey('new');
    // One database that outlives the three servers: a SQLite file, or a PostgreSQL schema.
    const database = await createTestDatabase(engine);
    const dbUrl = database.url;

    const before = await startTestServer({ LINK_SIGNING_KEYS: oldKey, DATABASE_URL: dbUrl });
    const shop = await before.newShop();
    const order = await before.newOrder(shop);
    const link = (await before.call<IssuedLinkResponse>('POST', `/v1/orders/${order.id}/links`, { key: shop.api_key, body: { requester } })).json;
    await before.stop();

    const rotated = await startTestServer({ LINK_SIGNING_KEYS: `${newKey},${oldKey}`, DATABASE_URL: dbUrl });
    expect((await rotated.call('GET', `/v1/pay/${link.token}`)).status).toBe(200);
    expect((await rotated.call('GET', `/v1/pay/${link.code}`)).status).toBe(200);
    const fresh = (await rotated.call<IssuedLinkResponse>('POST', `/v1/orders/${order.id}/links`, { key: shop.api_key, body: { requester } })).json;
    expect(JSON.parse(Buffer.from(fresh.token.split('.')[0], 'base64url').toString())).toMatchObject({ kid: 'new' });
    await rotated.stop();

    const retired = await startTestServer({ LINK_SIGNING_KEYS: newKey, DATABASE_URL: dbUrl });
    expect((await retired.call('GET', `/v1/pay/${link.token}`)).status).toBe(400);
    expect((await retired.call('GET', `/v1/pay/${link.code}`)).status).toBe(400);
    expect((await retired.call('GET', `/v1/pay/${fresh.token}`)).status).toBe(200);
    await retired.stop();
    await database.drop();
  });
});
