/**
 * The WeChat access token kept in the store, so every server instance uses one token
 * (README, "From any chat into the mini program"). The refresh lock is a lease row claimed by a
 * conditional write: one claimant at a time, in this process or any other, refreshes; the others
 * wait, then take the lease in turn and find (the manager re-reads under the lock) the token the
 * first one wrote. A holder that dies frees the lease when its time runs out.
 */
import type { Clock } from '../clock';
import { randomBase62 } from '../ids';
import type { WechatStore } from '../store/wechat-store';
import type { AccessTokenStore, StoredAccessToken } from '../wechat/platform/access-token-manager';
import { platformError } from '../wechat/platform/platform-errors';

/** How the shared store is built. */
export interface SharedAccessTokenStoreOptions {
  store: WechatStore;
  clock: Clock;
  /**
   * How long one refresh may hold the lease before others may take it: well over a
   * `stable_token` call's timeout, so a live holder is never overtaken.
   * @default 30000
   */
  leaseMs?: number;
  /** Pause between claims while another holds the lease. @default 50 */
  pollMs?: number;
  /** Claims tried before giving up (the caller then fails as if WeChat were busy). @default 400 (20 s at 50 ms) */
  maxClaims?: number;
  /** @default a real `setTimeout` */
  sleep?: (ms: number) => Promise<void>;
}

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** An `AccessTokenStore` over the store's `wechat_access_tokens` row. */
export function createSharedAccessTokenStore(options: SharedAccessTokenStoreOptions): AccessTokenStore {
  const { store, clock } = options;
  const leaseMs = options.leaseMs ?? 30_000;
  const pollMs = options.pollMs ?? 50;
  const maxClaims = options.maxClaims ?? 400;
  const sleep = options.sleep ?? realSleep;

  return {
    async read(appId: string): Promise<StoredAccessToken | undefined> {
      const stored = await store.readAccessToken(appId);
      return stored === undefined ? undefined : { token: stored.token, expiresAt: stored.expiresAt };
    },

    async write(appId: string, token: string, expiresAt: number): Promise<void> {
      await store.writeAccessToken({ appId, token, expiresAt });
    },

    async withRefreshLock<T>(appId: string, work: () => Promise<T>): Promise<T> {
      // A holder name per acquisition: two callers in one process are as distinct as two instances.
      const holder = randomBase62(16);
      for (let claims = 1; ; claims += 1) {
        const now = clock.now();
        if (await store.claimAccessTokenLease(appId, holder, now, now + leaseMs)) break;
        if (claims >= maxClaims) throw platformError('stable_token', 'SYSTEM_BUSY');
        await sleep(pollMs);
      }
      try {
        return await work();
      } finally {
        await store.releaseAccessTokenLease(appId, holder);
      }
    },
  };
}
