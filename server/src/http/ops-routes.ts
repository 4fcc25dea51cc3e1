/** Operations: liveness and readiness. */
import { Router } from 'express';
import { AppError } from '../errors/app-error';
import type { Store } from '../store/store';

/** `/healthz` (the process answers) and `/readyz` (the store answers too). */
export function opsRoutes(store: Store): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    try {
      await store.ping();
    } catch {
      throw new AppError('STORE_UNAVAILABLE', 'The store does not answer.');
    }
    res.json({ status: 'ready', store: store.engine });
  });
  return router;
}
