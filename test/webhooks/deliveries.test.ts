// GET /v1/deliveries: what happened to each webhook event, as the shop reads it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeliveryView } from '../../shared/api-types';
import { deliverOnce } from '../../server/src/webhooks/webhook-deliverer';
import { shopWithLink, startWebhookReceiver } from '../support/friends';
import { engines, startTestServer, type TestServer } from '../support/test-server';

describe.each(engines)('webhook deliveries as the shop lists them (%s)', (engine) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({}, {}, { engine });
  });
  afterAll(async () => server.stop());

  async function deliveriesOf(apiKey: string): Promise<{ deliveries: DeliveryView[]; webhook_url: string | null }> {
    const answer = await server.call<{ deliveries: DeliveryView[]; webhook_url: string | null }>('GET', '/v1/deliveries', { key: apiKey });
    expect(answer.status).toBe(200);
    return answer.json;
  }

  it('says "no webhook configured" for a shop without a webhook URL, never that the event was delivered', async () => {
    const { shop, link } = await shopWithLink(server);
    expect((await server.call('POST', `/v1/links/${link.id}/revoke`, { key: shop.api_key })).status).toBe(200);
    await deliverOnce(server.deps);

    const { deliveries, webhook_url } = await deliveriesOf(shop.api_key);
    expect(webhook_url).toBeNull();
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]).toMatchObject({ type: 'link.revoked', state: 'not_sent', delivered_at: null, attempts: 0, next_attempt_at: null });
    expect(deliveries[0]?.last_error).toMatch(/no webhook configured/i);
  });

  it('shows an event the shop received as delivered, once', async () => {
    const receiver = await startWebhookReceiver();
    try {
      const { shop, link } = await shopWithLink(server, { webhookUrl: receiver.url });
      await server.call('POST', `/v1/links/${link.id}/revoke`, { key: shop.api_key });
      expect(await deliverOnce(server.deps)).toBe(1);
      const { deliveries, webhook_url } = await deliveriesOf(shop.api_key);
      expect(webhook_url).toBe(receiver.url);
      expect(deliveries[0]).toMatchObject({ type: 'link.revoked', state: 'delivered', attempts: 1, last_error: null, next_attempt_at: null });
      expect(Date.parse(deliveries[0]?.delivered_at ?? '')).not.toBeNaN();
    } finally {
      await receiver.close();
    }
  });

  it('shows a failing delivery as retrying, with its error and next attempt', async () => {
    const receiver = await startWebhookReceiver(() => 503);
    try {
      const { shop, link } = await shopWithLink(server, { webhookUrl: receiver.url });
      await server.call('POST', `/v1/links/${link.id}/revoke`, { key: shop.api_key });
      expect(await deliverOnce(server.deps)).toBe(0);
      const [delivery] = (await deliveriesOf(shop.api_key)).deliveries;
      expect(delivery).toMatchObject({ state: 'retrying', attempts: 1, last_error: 'HTTP 503', delivered_at: null });
      expect(Date.parse(delivery?.next_attempt_at ?? '')).not.toBeNaN();
    } finally {
      await receiver.close();
    }
  });
});
