/**
 * Delivers the outbox to shops. Events are written in the same transaction as the change they
 * report, so none is lost on a crash; this claims due ones (so two instances never send the same
 * one at once), POSTs them signed, and retries failures with exponential backoff and jitter.
 */
import type { ServiceDeps } from '../service-deps';
import type { EventRecord } from '../store/records';
import { SIGNATURE_HEADER, signWebhook } from './webhook-signature';
import { createWebhookSender, WebhookTargetError, type WebhookSender, type WebhookTargetPolicy } from './webhook-targets';

const BATCH = 20;
/** A claimed event is retried by anyone after this, should the claimer die mid-send. */
const CLAIM_MS = 30_000;
const TIMEOUT_MS = 5_000;
/** Why an event of a shop without a webhook URL was not sent. */
export const NO_WEBHOOK = 'no webhook configured';

/** Delay before attempt `attempts + 1`: 10 s doubling to 6 h, times a random 0.5-1.5 so retries spread. */
export function retryDelayMs(attempts: number, random: () => number = Math.random): number {
  const base = Math.min(10_000 * 2 ** attempts, 6 * 3600_000);
  return Math.round(base * (0.5 + random()));
}

/** The JSON a shop receives. */
export function webhookBody(event: EventRecord): string {
  return JSON.stringify({ id: event.id, type: event.type, created_at: new Date(event.createdAt).toISOString(), data: event.payload });
}

/** One sender (its agents and checked DNS lookup) per policy. */
const senders = new WeakMap<WebhookTargetPolicy, WebhookSender>();

function senderFor(policy: WebhookTargetPolicy): WebhookSender {
  let sender = senders.get(policy);
  if (sender === undefined) {
    sender = createWebhookSender(policy);
    senders.set(policy, sender);
  }
  return sender;
}

/** Sends every due event once, only to targets `deps.webhookTargets` allows; returns how many were delivered. */
export async function deliverOnce(deps: ServiceDeps): Promise<number> {
  const now = deps.clock.now();
  const events = await deps.store.claimDueEvents(now, BATCH, now + CLAIM_MS);
  let delivered = 0;
  await Promise.all(events.map(async (event) => {
    const shop = await deps.store.getShop(event.shopId);
    if (shop === undefined || shop.webhookUrl === null) {
      // Nowhere to send it: out of the outbox, but never reported as delivered (GET /v1/deliveries).
      await deps.store.markEventSkipped(event.id, deps.clock.now(), NO_WEBHOOK);
      return;
    }
    const body = webhookBody(event);
    try {
      const response = await senderFor(deps.webhookTargets).post(shop.webhookUrl, {
        headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signWebhook(shop.webhookSecret, body, Math.floor(deps.clock.now() / 1000)), 'user-agent': 'FriendPay-Webhooks/1' },
        body,
        timeoutMs: TIMEOUT_MS,
      });
      if (response.status >= 200 && response.status < 300) {
        await deps.store.markEventDelivered(event.id, deps.clock.now());
        delivered += 1;
        return;
      }
      await deps.store.markEventFailed(event.id, deps.clock.now() + retryDelayMs(event.attempts), `HTTP ${response.status}`);
    } catch (error: unknown) {
      // The shop sees this in GET /v1/deliveries: a refused target says why, other failures only their kind.
      const reason = error instanceof WebhookTargetError ? error.message.slice(0, 200) : error instanceof Error ? error.name : 'error';
      await deps.store.markEventFailed(event.id, deps.clock.now() + retryDelayMs(event.attempts), reason);
    }
  }));
  return delivered;
}
