/** Operations: liveness and readiness. */
import { Router } from 'express';
import { AppError } from '../errors/app-error';
import type { Metrics } from '../observability/metrics';
import type { Store } from '../store/store';

/** `/healthz` (the process answers), `/readyz` (the store answers too) and `/metrics` (Prometheus text). */
export function opsRoutes(store: Store, metrics: Metrics): Router {
  const router = Router({ caseSensitive: true });
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    try {
      await store.ping();
    } catch {
      throw new AppError('STORE_UNAVAILABLE', 'The store does not answer.', { retryAfter: 5 });
    }
    res.json({ status: 'ready', store: store.engine });
  });
  router.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  return router;
}
