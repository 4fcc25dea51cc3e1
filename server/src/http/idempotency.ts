/**
 * Idempotent shop writes (README.md, "API (v1)"): the same `Idempotency-Key` with the same request gets
 * the stored response again; with another request, 422 IDEMPOTENCY_MISMATCH. A request that
 * fails releases its key, so the client's retry runs afresh; a claim left by a crash is taken
 * over after a minute.
 */
import crypto from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import type { Clock } from '../clock';
import { AppError } from '../errors/app-error';
import type { Store } from '../store/store';
import { shopOf } from './request-context';

/** What a route handler produces. */
export interface Reply {
  status: number;
  body: unknown;
}

const keyPattern = /^[\x21-\x7e]{1,255}$/;
const STALE_CLAIM_MS = 60_000;

function requestHash(req: Request): string {
  return crypto.createHash('sha256').update(`${req.method} ${req.originalUrl}\n${JSON.stringify(req.body ?? null)}`).digest('hex');
}

function send(res: Response, reply: Reply): void {
  res.status(reply.status).json(reply.body);
}

/**
 * Wraps a shop write handler so it honours `Idempotency-Key` when the client sends one; with
 * `required` (writes that move money), a request without one is refused before anything happens.
 */
export function idempotent(store: Store, clock: Clock, handler: (req: Request) => Promise<Reply>, options: { required?: boolean } = {}): RequestHandler {
  return async (req, res) => {
    const key = req.get('idempotency-key');
    if (key === undefined && options.required === true) {
      throw new AppError('IDEMPOTENCY_KEY_INVALID', 'Send an Idempotency-Key header (1-255 printable characters) so a retry never refunds twice.');
    }
    if (key === undefined) {
      send(res, await handler(req));
      return;
    }
    if (!keyPattern.test(key)) throw new AppError('IDEMPOTENCY_KEY_INVALID', 'Idempotency-Key must be 1-255 printable ASCII characters.');
    const scope = `shop:${shopOf(req).id}`;
    const hash = requestHash(req);
    const record = { scope, key, requestHash: hash, state: 'pending' as const, statusCode: null, responseBody: null, createdAt: clock.now() };
    let claim = await store.claimIdempotencyKey(record);
    if (!claim.claimed && claim.existing.state === 'pending' && claim.existing.createdAt < clock.now() - STALE_CLAIM_MS) {
      await store.releaseIdempotencyKey(scope, key);
      claim = await store.claimIdempotencyKey(record);
    }
    if (!claim.claimed) {
      const existing = claim.existing;
      if (existing.requestHash !== hash) throw new AppError('IDEMPOTENCY_MISMATCH', 'This Idempotency-Key was used with a different request.');
      if (existing.state === 'pending') throw new AppError('IDEMPOTENCY_IN_PROGRESS', 'A request with this Idempotency-Key is still running; retry shortly.');
      res.setHeader('Idempotent-Replayed', 'true');
      res.status(existing.statusCode ?? 200).type('application/json').send(existing.responseBody ?? 'null');
      return;
    }
    let reply: Reply;
    try {
      reply = await handler(req);
    } catch (error: unknown) {
      await store.releaseIdempotencyKey(scope, key);
      throw error;
    }
    await store.completeIdempotencyKey(scope, key, reply.status, JSON.stringify(reply.body));
    send(res, reply);
  };
}
