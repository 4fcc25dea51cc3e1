/**
 * Rate limits (rate-limiter-flexible): friend views and sessions per IP, payments per WeChat user,
 * the shop API per key. In memory by default; in Redis when REDIS_URL is set, so several server
 * instances share one budget. If Redis goes away the limits fall back to memory rather than
 * refusing every request.
 */
import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type pino from 'pino';
import type { RateLimitConfig } from '../config/config';
import { AppError } from '../errors/app-error';

/** What can be limited. */
export type LimitKind = keyof RateLimitConfig;

/** Consumes one request of a budget; throws RATE_LIMITED (429, with Retry-After) when it is spent. */
export interface RateLimits {
  consume(kind: LimitKind, key: string): Promise<void>;
  /** Resolves once Redis (if any) is connected, or after `timeoutMs`: the server starts either way. */
  ready(timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
}

/** Builds the limiters; with `redisUrl` they live in Redis under `keyPrefix`. */
export function createRateLimits(config: RateLimitConfig, options: { redisUrl?: string | undefined; keyPrefix?: string; logger: pino.Logger }): RateLimits {
  const prefix = options.keyPrefix ?? 'friendpay';
  const redis = options.redisUrl ? new Redis(options.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false }) : undefined;
  redis?.on('error', (error: Error) => options.logger.warn({ err: error.message }, 'redis for rate limits unavailable; limiting in memory'));
  const limiters = new Map<LimitKind, RateLimiterAbstract>();
  for (const kind of Object.keys(config) as LimitKind[]) {
    const opts = { points: config[kind], duration: 60, keyPrefix: `${prefix}:rl:${kind}` };
    limiters.set(
      kind,
      redis ? new RateLimiterRedis(Object.assign({}, opts, { storeClient: redis, insuranceLimiter: new RateLimiterMemory(opts) })) : new RateLimiterMemory(opts),
    );
  }
  return {
    async ready(timeoutMs) {
      if (redis === undefined || redis.status === 'ready') return true;
      return new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), timeoutMs);
        redis.once('ready', () => {
          clearTimeout(timer);
          resolve(true);
        });
      });
    },
    async consume(kind, key) {
      try {
        await limiters.get(kind)!.consume(key);
      } catch (rejection: unknown) {
        if (rejection instanceof RateLimiterRes) {
          const retryAfter = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
          throw new AppError('RATE_LIMITED', `Too many requests; try again in ${retryAfter} s.`, { retryAfter });
        }
        // A store failure the insurance limiter could not absorb: let the request through.
        options.logger.warn({ kind }, 'rate limiter failed; request allowed');
      }
    },
    async close() {
      if (redis) await redis.quit().catch(() => undefined);
    },
  };
}
