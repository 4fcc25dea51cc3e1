/** Shop API: the shop's webhook deliveries and their state. */
import { Router } from 'express';
import type { DeliveryState, DeliveryView } from '../../../shared/api-types';
import { shopOf } from '../http/request-context';
import { iso } from '../presenters/iso';
import type { ServiceDeps } from '../service-deps';
import type { EventRecord, ShopRecord } from '../store/records';
import { NO_WEBHOOK } from './webhook-deliverer';

/**
 * Where an event stands. An event taken out of the outbox unsent keeps its reason as its error and
 * no attempt; one delivered before that rule (or while the shop had no URL) is not sent all the same.
 */
function stateOf(event: EventRecord, shop: ShopRecord): DeliveryState {
  if (event.deliveredAt !== null) return event.attempts === 0 || shop.webhookUrl === null ? 'not_sent' : 'delivered';
  if (shop.webhookUrl === null) return 'not_sent';
  return event.attempts === 0 ? 'pending' : 'retrying';
}

/** One event as the shop lists it. */
export function presentDelivery(event: EventRecord, shop: ShopRecord): DeliveryView {
  const state = stateOf(event, shop);
  return {
    id: event.id,
    type: event.type,
    state,
    created_at: iso(event.createdAt),
    delivered_at: state === 'delivered' && event.deliveredAt !== null ? iso(event.deliveredAt) : null,
    attempts: state === 'not_sent' ? 0 : event.attempts,
    next_attempt_at: state === 'pending' || state === 'retrying' ? iso(event.nextAttemptAt) : null,
    last_error: state === 'not_sent' ? NO_WEBHOOK : event.lastError,
  };
}

/** `GET /v1/deliveries`, newest first (at most 100), with the URL they go to. */
export function deliveryRoutes(deps: ServiceDeps): Router {
  const router = Router({ caseSensitive: true });
  router.get('/v1/deliveries', async (req, res) => {
    const shop = shopOf(req);
    const events = await deps.store.listEvents(shop.id, 100);
    res.json({ webhook_url: shop.webhookUrl, deliveries: events.map((event) => presentDelivery(event, shop)) });
  });
  return router;
}
