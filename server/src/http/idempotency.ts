/**
 * Idempotent shop writes (README.md, "API (v1)"): the same `Idempotency-Key` with the same request gets
 * the stored response again; with another request, 422 IDEMPOTENCY_MISMATCH. A request that
 * fails releases its key, so the client's retry runs afresh. A running request renews its claim
 * every few seconds: a claim left by a crash (no one renews it) is taken over by the retry once
 * its hold ran out, seconds after the crash rather than a minute.
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
/** How long a claim holds without renewal: a retry after a crash waits at most this long. */
const HOLD_MS = 10_000;
/** How often a running request renews its claim: three chances before the hold runs out. */
const RENEW_EVERY_MS = 3_000;

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
    const holder = crypto.randomUUID();
    const now = clock.now();
    const claim = await store.claimIdempotencyKey({ scope, key, requestHash: hash, state: 'pending', statusCode: null, responseBody: null, createdAt: now, holder, heldUntil: now + HOLD_MS });
    if (!claim.claimed) {
      const existing = claim.existing;
      if (existing.requestHash !== hash) throw new AppError('IDEMPOTENCY_MISMATCH', 'This Idempotency-Key was used with a different request.');
      if (existing.state === 'pending') throw new AppError('IDEMPOTENCY_IN_PROGRESS', 'A request with this Idempotency-Key is still running; retry shortly.');
      res.setHeader('Idempotent-Replayed', 'true');
      res.status(existing.statusCode ?? 200).type('application/json').send(existing.responseBody ?? 'null');
      return;
    }
    // A renewal that fails (the store is briefly down) is tried again at the next tick: the hold
    // leaves room for two misses.
    const renewal = setInterval(() => {
      store.holdIdempotencyKey(scope, key, holder, clock.now() + HOLD_MS).catch(() => undefined);
    }, RENEW_EVERY_MS);
    renewal.unref();
    let reply: Reply;
    try {
      reply = await handler(req);
    } catch (error: unknown) {
      clearInterval(renewal);
      await store.releaseIdempotencyKey(scope, key, holder);
      throw error;
    }
    clearInterval(renewal);
    await store.completeIdempotencyKey(scope, key, holder, reply.status, JSON.stringify(reply.body));
    send(res, reply);
  };
}
