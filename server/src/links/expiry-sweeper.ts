/**
 * The sweeper: the eager half of expiry. Reads apply expiry lazily, but a shop expects its
 * `link.expired` webhook even when nobody looks at the link again. Works in bounded batches so
 * one run never holds the write lock for long, however many links fall due at once.
 */
import type { ServiceDeps } from '../service-deps';
import { linkExpiredEvent } from '../webhooks/webhook-events';

/** What one sweep did. */
export interface SweepResult {
  linksExpired: number;
  ordersClosed: number;
}

/** Expires every due link and closes every overdue order, `batchSize` rows per transaction. */
export async function sweepOnce(deps: ServiceDeps, batchSize = 500): Promise<SweepResult> {
  const result: SweepResult = { linksExpired: 0, ordersClosed: 0 };
  for (;;) {
    const now = deps.clock.now();
    const expired = await deps.store.expireDueLinks(now, batchSize, (link) => linkExpiredEvent(deps.ids, link, now));
    result.linksExpired += expired.length;
    deps.metrics.linksExpired(expired.length);
    if (expired.length < batchSize) break;
  }
  for (;;) {
    const closed = await deps.store.closeOverdueOrders(deps.clock.now(), batchSize);
    result.ordersClosed += closed;
    if (closed < batchSize) break;
  }
  return result;
}
