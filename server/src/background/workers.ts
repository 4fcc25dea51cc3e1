/** The server's background work: expiry sweeper, payment reconciler, webhook deliverer, daily bill reconciliation. */
import { sweepOnce } from '../links/expiry-sweeper';
import { reconcileOnce } from '../payments/reconciler';
import type { ServiceDeps } from '../service-deps';
import { deliverOnce } from '../webhooks/webhook-deliverer';
import { dailyBillReconciliationOnce } from './daily-bill-reconciliation';
import { deliverLiveOnce } from '../live/messenger';
import { startLoop, type Loop } from './loop';

/** How often each worker runs. */
export interface WorkerIntervals {
  sweepMs: number;
  reconcileMs: number;
  deliverMs: number;
  /** How often the daily bill job looks whether yesterday's bill is due. @default 60000 */
  billReconcileMs?: number;
}

/** Starts all workers; `stop()` waits for running rounds to finish. */
export function startWorkers(deps: ServiceDeps, intervals: WorkerIntervals): Loop {
  const loops = [
    startLoop('sweeper', intervals.sweepMs, () => sweepOnce(deps), deps.logger),
    startLoop('reconciler', intervals.reconcileMs, () => reconcileOnce(deps), deps.logger),
    startLoop('webhooks', intervals.deliverMs, () => deliverOnce(deps), deps.logger),
    // Live status in the chat: card updates, subscribe messages, expiry warnings.
    startLoop('chat', intervals.deliverMs, () => deliverLiveOnce(deps), deps.logger),
  ];
  // One instance a day does it: the lease holder is named per process.
  const holder = deps.ids.newId('inst');
  loops.push(startLoop('bill-reconciliation', intervals.billReconcileMs ?? 60_000, () => dailyBillReconciliationOnce(deps, { holder }), deps.logger));
  return {
    async stop() {
      await Promise.all(loops.map((loop) => loop.stop()));
    },
  };
}
