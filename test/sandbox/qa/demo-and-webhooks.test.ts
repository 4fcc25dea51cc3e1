// The sandbox's QA parts: one demo shop per data folder (a new order and link per demo), its
// webhooks received and checked by the sandbox itself, and a clock move kept across restarts.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DemoResponse, LinkResponse, SandboxWebhook } from '../../../shared/api-types';
import { deliverOnce } from '../../../server/src/webhooks/webhook-deliverer';
import { startTestServer, type TestServer } from '../../support/test-server';

describe('the sandbox demo shop and its webhooks', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => server.stop());

  async function demo(): Promise<DemoResponse> {
    const answer = await server.call<DemoResponse>('POST', '/sandbox/demo', { body: {} });
    expect(answer.status, answer.text).toBe(201);
    return answer.json;
  }

  it('makes a new order and link on every call, for the same demo shop with the same key', async () => {
    const [first, second] = await Promise.all([demo(), demo()]);
    expect(second.shop).toEqual(first.shop);
    expect(second.order.id).not.toBe(first.order.id);
    expect(second.link.id).not.toBe(first.link.id);
    const link = await server.call<LinkResponse>('GET', `/v1/links/${first.link.id}`, { key: second.shop.api_key });
    expect(link.status).toBe(200);
  });

  it("sends the demo shop's webhooks to the sandbox, which checks their signature and lists them", async () => {
    const made = await demo();
    expect((await server.call('POST', `/v1/links/${made.link.id}/revoke`, { key: made.shop.api_key })).status).toBe(200);
    expect(await deliverOnce(server.deps)).toBeGreaterThanOrEqual(1);
    const listed = await server.call<{ webhooks: SandboxWebhook[] }>('GET', `/sandbox/webhooks?shop_id=${made.shop.id}`);
    expect(listed.status).toBe(200);
    const revoked = listed.json.webhooks.find((webhook) => webhook.type === 'link.revoked' && (webhook.data as { link_id?: string }).link_id === made.link.id);
    expect(revoked).toMatchObject({ shop_id: made.shop.id, signature_valid: true });
    const deliveries = await server.call<{ deliveries: { type: string; state: string }[]; webhook_url: string }>('GET', '/v1/deliveries', { key: made.shop.api_key });
    expect(deliveries.json.webhook_url).toBe(`${server.url}/sandbox/webhook-receiver/${made.shop.id}`);
    expect(deliveries.json.deliveries.find((delivery) => delivery.type === 'link.revoked')?.state).toBe('delivered');
  });

  it('keeps a delivery whose signature does not verify, marked as such', async () => {
    const made = await demo();
    const forged = await fetch(`${server.url}/sandbox/webhook-receiver/${made.shop.id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'FriendPay-Signature': `t=${Math.floor(Date.now() / 1000)},v1=${'0'.repeat(64)}` },
      body: JSON.stringify({ id: 'evt_forged', type: 'link.paid', created_at: new Date().toISOString(), data: {} }),
    });
    expect(forged.status).toBe(204);
    const listed = await server.call<{ webhooks: SandboxWebhook[] }>('GET', `/sandbox/webhooks?shop_id=${made.shop.id}`);
    expect(listed.json.webhooks[0]).toMatchObject({ id: 'evt_forged', signature_valid: false });
  });
});

describe('the sandbox across restarts', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'friend-pay-restart-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const env = { DATA_DIR: dir, DATABASE_URL: `sqlite:${path.join(dir, 'fp.sqlite')}` };

  it('reuses the demo shop of the data folder and keeps the clock where it was moved, on the same database only', async () => {
    const first = await startTestServer(env);
    let shop: DemoResponse['shop'];
    try {
      shop = (await first.call<DemoResponse>('POST', '/sandbox/demo', { body: {} })).json.shop;
      expect((await first.call('POST', '/sandbox/clock', { body: { advance_seconds: 7200 } })).status).toBe(200);
    } finally {
      // stop() would delete the data folder: close the server only.
      await first.close();
    }

    const second = await startTestServer(env);
    try {
      expect(second.qa?.restoredClockOffsetMs).toBe(7_200_000);
      expect((await second.call<{ offset_seconds: number }>('GET', '/sandbox/clock')).json.offset_seconds).toBe(7200);
      const again = (await second.call<DemoResponse>('POST', '/sandbox/demo', { body: {} })).json;
      expect(again.shop).toEqual(shop);
      // The shop's webhooks follow the server to its new port.
      const deliveries = await second.call<{ webhook_url: string }>('GET', '/v1/deliveries', { key: again.shop.api_key });
      expect(deliveries.json.webhook_url).toBe(`${second.url}/sandbox/webhook-receiver/${shop.id}`);
    } finally {
      await second.close();
    }

    // Another database in the same data folder: its rows were never written with the moved clock.
    const other = await startTestServer({ ...env, DATABASE_URL: `sqlite:${path.join(dir, 'other.sqlite')}` });
    try {
      expect(other.qa?.restoredClockOffsetMs).toBe(0);
      const fresh = (await other.call<DemoResponse>('POST', '/sandbox/demo', { body: {} })).json;
      expect(fresh.shop.id).not.toBe(shop.id);
    } finally {
      await other.close();
    }
  });
});
