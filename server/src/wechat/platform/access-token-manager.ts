/**
 * One access token per app for every server instance. WeChat's stable token is shared by all
 * its callers and force-refreshing it breaks the others' copy, so the token lives in a shared
 * store, refreshes happen under a store-wide lock, and a refresh re-reads the store first: of N
 * instances finding the token stale, one calls WeChat and the others take what it wrote.
 */
import type { Clock } from '../../clock';
import { ACCESS_TOKEN_REFRESH_MARGIN_MS } from './platform-consts';
import { WechatPlatformError } from './platform-errors';

/** A token and the epoch millisecond it stops working. */
export interface StoredAccessToken {
  token: string;
  expiresAt: number;
}

/** Where the token is kept so every server instance uses the same one (SQLite/PostgreSQL in production). */
export interface AccessTokenStore {
  read(appId: string): Promise<StoredAccessToken | undefined>;
  write(appId: string, token: string, expiresAt: number): Promise<void>;
  /** Runs `work` while no other caller, in this process or another, holds the lock for `appId`. */
  withRefreshLock<T>(appId: string, work: () => Promise<T>): Promise<T>;
}

/** What WeChat's `stable_token` handed out. */
export interface IssuedAccessToken {
  accessToken: string;
  expiresInSeconds: number;
}

/** Asks WeChat for a token; `forceRefresh` invalidates the current one everywhere. */
export type FetchAccessToken = (forceRefresh: boolean) => Promise<IssuedAccessToken>;

/** How an `AccessTokenManager` is built. */
export interface AccessTokenManagerOptions {
  appId: string;
  store: AccessTokenStore;
  clock: Clock;
  fetchToken: FetchAccessToken;
  /** @default ACCESS_TOKEN_REFRESH_MARGIN_MS (5 minutes) */
  refreshMarginMs?: number;
  /**
   * After a refresh that left the token inside the margin (WeChat gave the same token back, or
   * failed while the old one still worked), wait this long before trying again.
   * @default 30000
   */
  refreshRetryMs?: number;
  /**
   * At most one forced refresh per this interval from this instance: WeChat allows 20 a day,
   * at least 30 s apart, and a WeChat refusing every token must not burn them all in a minute.
   * @default 30000
   */
  forceIntervalMs?: number;
}

/** Hands out the app's access token: cached, refreshed once when stale, shared through the store. */
export class AccessTokenManager {
  readonly #options: AccessTokenManagerOptions;
  readonly #marginMs: number;
  readonly #retryMs: number;
  readonly #forceIntervalMs: number;
  #cached: StoredAccessToken | undefined;
  #inflight: Promise<StoredAccessToken> | undefined;
  #lastRefreshAttemptAt: number | undefined;
  #lastForcedAt: number | undefined;

  constructor(options: AccessTokenManagerOptions) {
    this.#options = options;
    this.#marginMs = options.refreshMarginMs ?? ACCESS_TOKEN_REFRESH_MARGIN_MS;
    this.#retryMs = options.refreshRetryMs ?? 30_000;
    this.#forceIntervalMs = options.forceIntervalMs ?? 30_000;
  }

  /** A token valid now; refreshes (once for all concurrent callers) when under the margin. */
  async getToken(): Promise<string> {
    const cached = this.#cached;
    if (cached !== undefined && !this.#isStale(cached, this.#options.clock.now())) return cached.token;
    return (await this.#refresh(undefined)).token;
  }

  /**
   * The token to retry with after WeChat rejected `failedToken` (40001/42001): the one another
   * caller already stored, or else a forced refresh. Forcing is skipped when the store holds a
   * different token, because forcing again would invalidate that newer token for everyone.
   */
  async replaceRejectedToken(failedToken: string): Promise<string> {
    return (await this.#refresh(failedToken)).token;
  }

  /** Runs `call` with the token; on a token rejection, replaces the token once and retries once. */
  async withAccessToken<T>(call: (token: string) => Promise<T>): Promise<T> {
    const token = await this.getToken();
    try {
      return await call(token);
    } catch (error: unknown) {
      if (!(error instanceof WechatPlatformError) || error.code !== 'TOKEN_INVALID') throw error;
      return call(await this.replaceRejectedToken(token));
    }
  }

  #isStale(stored: StoredAccessToken, now: number): boolean {
    if (stored.expiresAt <= now) return true;
    if (stored.expiresAt - now >= this.#marginMs) return false;
    return this.#lastRefreshAttemptAt === undefined || now - this.#lastRefreshAttemptAt >= this.#retryMs;
  }

  // Single flight: concurrent callers in this process share one refresh. A caller replacing a
  // rejected token that joins a refresh which produced that same token goes round again.
  #refresh(failedToken: string | undefined): Promise<StoredAccessToken> {
    const running = this.#inflight;
    if (running !== undefined) {
      return running.then((result) => (failedToken !== undefined && result.token === failedToken ? this.#refresh(failedToken) : result));
    }
    const started = this.#refreshUnderLock(failedToken).finally(() => {
      if (this.#inflight === started) this.#inflight = undefined;
    });
    this.#inflight = started;
    return started;
  }

  async #refreshUnderLock(failedToken: string | undefined): Promise<StoredAccessToken> {
    const { appId, store, clock, fetchToken } = this.#options;
    return store.withRefreshLock(appId, async () => {
      const stored = await store.read(appId);
      const now = clock.now();
      if (stored !== undefined && stored.expiresAt > now) {
        const usable = failedToken === undefined ? !this.#isStale(stored, now) : stored.token !== failedToken;
        if (usable) return this.#keep(stored);
      }
      // Forcing is scarce (WeChat allows 20 a day) and needless when our clock also sees the
      // rejected token expired: then normal mode already hands out a new one.
      const force = failedToken !== undefined && stored !== undefined && stored.token === failedToken && stored.expiresAt > now;
      if (force && this.#lastForcedAt !== undefined && now - this.#lastForcedAt < this.#forceIntervalMs) return this.#keep(stored);
      if (force) this.#lastForcedAt = now;
      this.#lastRefreshAttemptAt = now;
      let issued: IssuedAccessToken;
      try {
        issued = await fetchToken(force);
      } catch (error: unknown) {
        // A token with minutes left still works: a failed early refresh must not fail the caller.
        if (!force && failedToken === undefined && stored !== undefined && stored.expiresAt > clock.now()) return this.#keep(stored);
        throw error;
      }
      const fresh = { token: issued.accessToken, expiresAt: clock.now() + issued.expiresInSeconds * 1000 };
      await store.write(appId, fresh.token, fresh.expiresAt);
      return this.#keep(fresh);
    });
  }

  #keep(stored: StoredAccessToken): StoredAccessToken {
    this.#cached = stored;
    return stored;
  }
}
