/**
 * The sandbox's own webhook endpoint: the demo shop's webhooks come back to this server, which
 * checks their signature as a shop would and keeps the last ones, so QA sees on the QA page what a
 * shop's backend would have received. Mounted before body parsing: a signature covers the exact bytes.
 */
import express, { Router } from 'express';
import type { SandboxWebhook } from '../../../../shared/api-types';
import type { Clock } from '../../clock';
import type { Store } from '../../store/store';
import { SIGNATURE_HEADER, verifyWebhook } from '../../webhooks/webhook-signature';

/** Where the receiver listens, under the server's own URL; the shop's id names whose secret signs. */
export const WEBHOOK_RECEIVER_PATH = '/sandbox/webhook-receiver';
/** How many deliveries are kept (the oldest go first): a QA session's worth. */
const KEPT = 200;

/** The receiver: its routes and the URL a shop's webhooks are sent to. */
export interface WebhookReceiver {
  /** `POST /sandbox/webhook-receiver/{shopId}` (the endpoint) and `GET /sandbox/webhooks?shop_id=` (what came). */
  router: Router;
  /** The webhook URL of `shopId` on this server. */
  urlFor(shopId: string): string;
  /** What came for `shopId` (every shop when undefined), newest first. */
  received(shopId?: string): SandboxWebhook[];
}

function parsedEvent(body: string): { id: string; type: string; data: unknown } | undefined {
  try {
    const value: unknown = JSON.parse(body);
    if (typeof value !== 'object' || value === null) return undefined;
    const { id, type, data } = value as { id?: unknown; type?: unknown; data?: unknown };
    return typeof id === 'string' && typeof type === 'string' ? { id, type, data } : undefined;
  } catch {
    return undefined;
  }
}

/** Builds the receiver of the server at `selfUrl`. */
export function createWebhookReceiver(options: { store: Store; clock: Clock; selfUrl: string }): WebhookReceiver {
  const { store, clock, selfUrl } = options;
  const kept: SandboxWebhook[] = [];
  const router = Router({ caseSensitive: true });

  router.post(`${WEBHOOK_RECEIVER_PATH}/:shopId`, express.text({ type: () => true, limit: '64kb' }), async (req, res) => {
    const body = typeof req.body === 'string' ? req.body : '';
    const shop = await store.getShop(req.params.shopId);
    const event = parsedEvent(body);
    const header = req.get(SIGNATURE_HEADER);
    kept.unshift({
      id: event?.id ?? '',
      type: event?.type ?? '',
      shop_id: req.params.shopId,
      received_at: new Date(clock.now()).toISOString(),
      signature_valid: shop !== undefined && verifyWebhook(shop.webhookSecret, body, header, Math.floor(clock.now() / 1000)),
      data: event?.data ?? null,
    });
    kept.length = Math.min(kept.length, KEPT);
    // A 2xx, as a shop answers a delivery it accepts; one that fails the signature is kept for QA to see.
    res.status(204).end();
  });

  const received = (shopId?: string): SandboxWebhook[] => kept.filter((webhook) => shopId === undefined || webhook.shop_id === shopId);

  router.get('/sandbox/webhooks', (req, res) => {
    const shopId = typeof req.query.shop_id === 'string' && req.query.shop_id !== '' ? req.query.shop_id : undefined;
    res.setHeader('Cache-Control', 'no-store');
    res.json({ webhooks: received(shopId) });
  });

  return { router, urlFor: (shopId) => `${selfUrl}${WEBHOOK_RECEIVER_PATH}/${encodeURIComponent(shopId)}`, received };
}
