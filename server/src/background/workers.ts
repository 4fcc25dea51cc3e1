/** The server's background work: expiry sweeper, payment reconciler, webhook deliverer. */
import { sweepOnce } from '../links/expiry-sweeper';
import { reconcileOnce } from '../payments/reconciler';
import type { ServiceDeps } from '../service-deps';
import { deliverOnce } from '../webhooks/webhook-deliverer';
import { deliverLiveOnce } from '../live/messenger';
import { startLoop, type Loop } from './loop';

/** How often each worker runs. */
export interface WorkerIntervals {
  sweepMs: number;
  reconcileMs: number;
  deliverMs: number;
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
  return {
    async stop() {
      await Promise.all(loops.map((loop) => loop.stop()));
    },
  };
}
