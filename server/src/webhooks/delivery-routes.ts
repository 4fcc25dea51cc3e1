/** Shop API: the shop's webhook deliveries and their state. */
import { Router } from 'express';
import type { DeliveryView } from '../../../shared/api-types';
import { shopOf } from '../http/request-context';
import { iso } from '../presenters/iso';
import type { ServiceDeps } from '../service-deps';

/** `GET /v1/deliveries`, newest first (at most 100). */
export function deliveryRoutes(deps: ServiceDeps): Router {
  const router = Router({ caseSensitive: true });
  router.get('/v1/deliveries', async (req, res) => {
    const events = await deps.store.listEvents(shopOf(req).id, 100);
    const body: DeliveryView[] = events.map((event) => ({
      id: event.id,
      type: event.type,
      created_at: iso(event.createdAt),
      delivered_at: event.deliveredAt === null ? null : iso(event.deliveredAt),
      attempts: event.attempts,
      next_attempt_at: event.deliveredAt === null ? iso(event.nextAttemptAt) : null,
      last_error: event.lastError,
    }));
    res.json({ deliveries: body });
  });
  return router;
}
