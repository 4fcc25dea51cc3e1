/**
 * The reconciler: what notifications alone cannot guarantee. It asks WeChat Pay about open
 * payments whose notification has not come (a dropped or late one), closes the WeChat order of
 * payments whose lease has ended or whose link can no longer be paid, and pushes refunds until
 * WeChat has done them. Every step is idempotent and conditional, so it is safe after a restart
 * and with several instances running it at once.
 */
import type { ServiceDeps } from '../service-deps';
import { isTradePaid } from '../wechat/states';
import { advanceRefund } from './refund-runner';
import { checkWithWechat, closeOpenPayment } from './payment-service';

/** Open payments younger than this are left to their notification. */
const QUIET_MS = 5_000;
/** How often one open payment is queried while its lease runs. */
const QUERY_EVERY_MS = 10_000;
const BATCH = 100;

/** What one round did. */
export interface ReconcileResult {
  queried: number;
  closed: number;
  paidFound: number;
  refundsAdvanced: number;
}

/** One round over open payments and due refunds. */
export async function reconcileOnce(deps: ServiceDeps): Promise<ReconcileResult> {
  const result: ReconcileResult = { queried: 0, closed: 0, paidFound: 0, refundsAdvanced: 0 };
  const now = deps.clock.now();
  for (const payment of await deps.store.listOpenPayments(now - QUIET_MS, BATCH)) {
    const view = await deps.store.getLinkView(payment.linkId);
    const payable = view !== undefined && view.link.status === 'active' && view.link.expiresAt > now && view.order.status === 'pending';
    if (payable && now < payment.leaseExpiresAt) {
      if (payment.checkedAt !== null && now - payment.checkedAt < QUERY_EVERY_MS) continue;
      result.queried += 1;
      const state = await checkWithWechat(deps, payment);
      if (isTradePaid(state)) result.paidFound += 1;
      continue;
    }
    const outcome = await closeOpenPayment(deps, payment);
    if (outcome === 'closed') result.closed += 1;
    if (outcome === 'paid') result.paidFound += 1;
  }
  for (const refund of await deps.store.listRefundsDue(deps.clock.now(), BATCH)) {
    await advanceRefund(deps, refund);
    result.refundsAdvanced += 1;
  }
  return result;
}
