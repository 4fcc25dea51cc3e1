// A merchant in the middle of WeChat's switch from platform certificates to the public key: the
// server holds the public key, WeChat signs each notification with either, and rotates its
// certificate meanwhile. Every genuine notification must be taken, a forged one never.
import crypto from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OrderResponse } from '../../shared/api-types';
import { eventually, loginFriend, payInSheet, shopWithLink, startPayment } from '../support/friends';
import { paymentNotification } from '../support/notifications';
import { startTestServer, type TestServer } from '../support/test-server';

/** A seeded coin (mulberry32): random to the simulator, the same in every run. */
function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('notifications signed by the public key or a platform certificate, across a rotation', () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startTestServer({}, { sandboxRandom: seededRandom(17) });
  });
  afterEach(async () => server.stop());

  async function friendPays(index: number): Promise<{ orderId: string; shopKey: string; paymentId: string }> {
    const { shop, orderId, link } = await shopWithLink(server, { amount: 100 + index });
    const friend = await loginFriend(server, `o_friend_${index}`);
    const start = await startPayment(server, friend, link.code);
    expect(start.status).toBe(201);
    expect((await payInSheet(server, friend, start.json)).status).toBe(200);
    return { orderId, shopKey: shop.api_key, paymentId: start.json.payment.id };
  }

  it('takes every genuine one, whichever key signed it, and refuses a forged one', async () => {
    const simulator = server.sandbox!.paySimulator!;
    const keys = server.sandbox!.keys;
    simulator.faults.set({ signWith: 'random' });

    const before: { orderId: string; shopKey: string; paymentId: string }[] = [];
    for (let i = 0; i < 8; i += 1) before.push(await friendPays(i));
    await simulator.idle();
    const oldCertificate = simulator.certificates.listed().at(-1)!.serial;
    // WeChat issues a successor, which signs from now on; our keys may download again after a minute.
    const successor = simulator.certificates.rotate();
    server.sandboxClock!.advance(61);
    const after: typeof before = [];
    for (let i = 8; i < 16; i += 1) after.push(await friendPays(i));
    await simulator.idle();

    const paid = await eventually(async () => {
      const orders = await Promise.all([...before, ...after].map(async ({ orderId, shopKey }) => (await server.call<OrderResponse>('GET', `/v1/orders/${orderId}`, { key: shopKey })).json));
      return orders.every((order) => order.status === 'paid') ? orders : undefined;
    }, 5000, 'every payment to be applied');
    const attempts = simulator.ledger.notifications();
    const serials = new Set(attempts.map((attempt) => attempt.serial));

    expect(paid).toHaveLength(16);
    expect(attempts.every((attempt) => attempt.outcome === 204)).toBe(true);
    expect(serials.has(keys.platform.publicKeyId)).toBe(true);
    expect(serials.has(successor.serial)).toBe(true);
    expect([...serials].some((serial) => serial !== keys.platform.publicKeyId && serial !== successor.serial)).toBe(true);
    expect(server.deps.wechat.pay.verification().certificates.map((c) => c.serial).sort()).toEqual([oldCertificate, successor.serial].sort());

    // Forged: the successor's serial on a signature by a key that is not the certificate's.
    const { link } = await shopWithLink(server, { amount: 999 });
    const friend = await loginFriend(server, 'o_victim');
    const start = (await startPayment(server, friend, link.code)).json;
    const facts = { outTradeNo: start.payment.id.replace(/^pay_/, 'FP'), transactionId: '4200000000000000000000000999', amount: 999, openid: 'o_victim', successTime: server.deps.clock.now() };
    const impostor = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const post = (built: { body: string; headers: Record<string, string> }) => fetch(`${server.url}/v1/wechatpay/notify`, { method: 'POST', headers: built.headers, body: built.body });
    const forged = await post(paymentNotification(keys, facts, { signWith: impostor, serial: successor.serial }));
    const unknownSerial = await post(paymentNotification(keys, facts, { signWith: impostor, serial: 'ABCDEF0123456789ABCDEF0123456789ABCDEF01' }));

    expect(forged.status).toBe(401);
    expect(unknownSerial.status).toBe(401);
    expect((await server.deps.store.getPayment(start.payment.id))?.status).toBe('created');
  });
});
