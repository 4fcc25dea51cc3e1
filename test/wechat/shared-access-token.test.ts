// One WeChat access token for every server instance: token managers of several instances, each
// on its own store connection to one database (both engines), refresh through the store's lease.
import { describe, expect, it } from 'vitest';
import { AdjustableClock } from '../../server/src/clock';
import { createSharedAccessTokenStore } from '../../server/src/composition/shared-access-token-store';
import type { Store } from '../../server/src/store/store';
import { AccessTokenManager, type FetchAccessToken } from '../../server/src/wechat/platform/access-token-manager';
import { WechatPlatformError } from '../../server/src/wechat/platform/platform-errors';
import { storeHarness } from '../support/store-harness';
import { engines } from '../support/test-database';

const APP_ID = 'wx0123456789abcdef';
const EPOCH = Date.UTC(2026, 11, 2, 4, 0, 0);

/** WeChat's stable_token as a counter: each call takes a network round trip's time and hands out a new token valid two hours. */
function countingWechat(): { fetch: FetchAccessToken; calls: () => number } {
  let calls = 0;
  return {
    fetch: async () => {
      calls += 1;
      const issued = `token-${calls}`;
      // Latency, so every instance's callers arrive while the first fetch is in flight.
      await new Promise((resolve) => setTimeout(resolve, 30));
      return { accessToken: issued, expiresInSeconds: 7200 };
    },
    calls: () => calls,
  };
}

describe.each(engines)('the shared access token store (%s)', (engine) => {
  const { openInstances: instances } = storeHarness(engine);

  function managerOn(store: Store, clock: AdjustableClock, fetchToken: FetchAccessToken): AccessTokenManager {
    return new AccessTokenManager({ appId: APP_ID, store: createSharedAccessTokenStore({ store, clock, pollMs: 5 }), clock, fetchToken });
  }

  it('four instances with ten callers each fetch one token between them, and all forty get it', async () => {
    const clock = new AdjustableClock({ now: () => EPOCH });
    const wechat = countingWechat();
    const managers = (await instances(4)).map((store) => managerOn(store, clock, wechat.fetch));

    const tokens = await Promise.all(managers.flatMap((manager) => Array.from({ length: 10 }, () => manager.getToken())));

    expect(wechat.calls()).toBe(1);
    expect(new Set(tokens)).toEqual(new Set(['token-1']));
  });

  it('refreshes once for every instance when the token nears its end, and a restarted instance reads the kept token', async () => {
    const clock = new AdjustableClock({ now: () => EPOCH });
    const wechat = countingWechat();
    const [a, b, c] = (await instances(3)) as [Store, Store, Store];
    const first = [managerOn(a, clock, wechat.fetch), managerOn(b, clock, wechat.fetch)];
    await Promise.all(first.map((manager) => manager.getToken()));

    clock.advance(7200 - 299);
    const refreshed = await Promise.all(first.flatMap((manager) => [manager.getToken(), manager.getToken()]));
    const restarted = await managerOn(c, clock, wechat.fetch).getToken();

    expect(wechat.calls()).toBe(2);
    expect(new Set([...refreshed, restarted])).toEqual(new Set(['token-2']));
  });

  it('a lease left behind by a crashed instance stops no one once its time is up', async () => {
    const clock = new AdjustableClock({ now: () => EPOCH });
    const wechat = countingWechat();
    const [a, b] = (await instances(2)) as [Store, Store];
    await a.claimAccessTokenLease(APP_ID, 'crashed-instance', clock.now(), clock.now() + 30_000);
    let polls = 0;
    const fetchesWhileHeld: number[] = [];
    // The waiting instance's pauses move the clock instead of sleeping: the lease lapses on the fourth.
    const sleep = (): Promise<void> => {
      polls += 1;
      fetchesWhileHeld.push(wechat.calls());
      if (polls === 4) clock.advance(30);
      return Promise.resolve();
    };
    const manager = new AccessTokenManager({ appId: APP_ID, store: createSharedAccessTokenStore({ store: b, clock, sleep }), clock, fetchToken: wechat.fetch });

    expect(await manager.getToken()).toBe('token-1');
    expect(polls).toBe(4);
    expect(fetchesWhileHeld).toEqual([0, 0, 0, 0]);
  });

  it('gives up waiting for a lease that never frees, as WeChat being busy', async () => {
    const clock = new AdjustableClock({ now: () => EPOCH });
    const [a, b] = (await instances(2)) as [Store, Store];
    await a.claimAccessTokenLease(APP_ID, 'stuck', clock.now(), clock.now() + 30_000);
    const tokenStore = createSharedAccessTokenStore({ store: b, clock, pollMs: 1, maxClaims: 3 });

    const failure = await tokenStore.withRefreshLock(APP_ID, () => Promise.resolve('ran')).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(WechatPlatformError);
    expect(failure).toMatchObject({ code: 'SYSTEM_BUSY', operation: 'stable_token' });
  });
});
