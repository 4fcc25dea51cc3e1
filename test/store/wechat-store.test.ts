// The store contract for reaching the mini program (both engines): the shared WeChat access token
// with its refresh lease, and each link's code image and URL Link, kept once.
import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Store } from '../../server/src/store/store';
import { engines } from '../support/test-database';
import { storeHarness } from '../support/store-harness';
import { seedLink } from './records';

/** A PNG-looking byte string with every byte value in it, so a lossy round trip (text, encoding) shows. */
function imageBytes(seed: string): Buffer {
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff]), Buffer.from(Array.from({ length: 256 }, (_, i) => i)), crypto.createHash('sha256').update(seed).digest()]);
}

describe.each(engines)('the WeChat part of the store contract (%s)', (engine) => {
  const { openStore, openInstances } = storeHarness(engine);

  it('keeps a link code image byte for byte, one per link and env version', async () => {
    const store = await openStore();
    const now = Date.now();
    await seedLink(store, now);
    const release = { linkId: 'lnk_1', envVersion: 'release', image: imageBytes('a'), contentType: 'image/png', createdAt: now };

    expect(await store.getLinkCode('lnk_1', 'release')).toBeUndefined();
    expect(await store.keepLinkCode(release)).toEqual(release);
    expect(await store.getLinkCode('lnk_1', 'release')).toEqual(release);
    expect(await store.getLinkCode('lnk_1', 'trial')).toBeUndefined();
    const trial = { ...release, envVersion: 'trial', image: imageBytes('t') };
    expect(await store.keepLinkCode(trial)).toEqual(trial);
  });

  it('gives the first kept code to every later keeper: two instances making the same code at once both serve one', async () => {
    const [a, b] = (await openInstances(2)) as [Store, Store];
    const now = Date.now();
    await seedLink(a, now);
    const first = { linkId: 'lnk_1', envVersion: 'release', image: imageBytes('first'), contentType: 'image/png', createdAt: now };
    const second = { ...first, image: imageBytes('second'), createdAt: now + 1 };

    const [keptByA, keptByB] = await Promise.all([a.keepLinkCode(first), b.keepLinkCode(second)]);

    expect(keptByA).toEqual(keptByB);
    expect([first.image, second.image]).toContainEqual(keptByA.image);
    expect(await a.keepLinkCode({ ...first, image: imageBytes('third') })).toEqual(keptByA);
  });

  it('keeps a link URL Link once: a later one is refused and the kept one returned', async () => {
    const [a, b] = (await openInstances(2)) as [Store, Store];
    const now = Date.now();
    await seedLink(a, now);
    const urlLink = { linkId: 'lnk_1', envVersion: 'release', url: 'https://wxaurl.cn/abc', expiresAt: now + 60_000, createdAt: now };

    const [one, two] = await Promise.all([a.keepLinkUrlLink(urlLink), b.keepLinkUrlLink({ ...urlLink, url: 'https://wxaurl.cn/def' })]);

    expect(one).toEqual(two);
    expect(await b.getLinkUrlLink('lnk_1', 'release')).toEqual(one);
    expect(await b.getLinkUrlLink('lnk_1', 'develop')).toBeUndefined();
  });

  it('keeps one access token per app, replaced by the next write, and shared by every instance', async () => {
    const [a, b] = (await openInstances(2)) as [Store, Store];
    const expiresAt = 1_893_456_000_123;

    expect(await a.readAccessToken('wx1')).toBeUndefined();
    await a.writeAccessToken({ appId: 'wx1', token: 'tok-1', expiresAt });
    expect(await b.readAccessToken('wx1')).toEqual({ appId: 'wx1', token: 'tok-1', expiresAt });
    await b.writeAccessToken({ appId: 'wx1', token: 'tok-2', expiresAt: expiresAt + 1 });
    expect(await a.readAccessToken('wx1')).toEqual({ appId: 'wx1', token: 'tok-2', expiresAt: expiresAt + 1 });
    expect(await a.readAccessToken('wx2')).toBeUndefined();
  });

  it('hands the refresh lease to one holder at a time, to the next once given back or once its time ran out', async () => {
    const store = await openStore();
    const now = 1_000_000;

    expect(await store.claimAccessTokenLease('wx1', 'A', now, now + 30_000)).toBe(true);
    // A lease alone is no token.
    expect(await store.readAccessToken('wx1')).toBeUndefined();
    expect(await store.claimAccessTokenLease('wx1', 'B', now + 1, now + 30_001)).toBe(false);
    expect(await store.claimAccessTokenLease('wx1', 'A', now + 2, now + 30_002)).toBe(true);
    await store.releaseAccessTokenLease('wx1', 'B');
    expect(await store.claimAccessTokenLease('wx1', 'B', now + 3, now + 30_003)).toBe(false);
    await store.releaseAccessTokenLease('wx1', 'A');
    expect(await store.claimAccessTokenLease('wx1', 'B', now + 4, now + 30_004)).toBe(true);
    // B never gives it back (a crashed instance): C gets it when B's time is up, not before.
    expect(await store.claimAccessTokenLease('wx1', 'C', now + 30_003, now + 60_000)).toBe(false);
    expect(await store.claimAccessTokenLease('wx1', 'C', now + 30_004, now + 60_004)).toBe(true);
    // The lease never touches the token.
    await store.writeAccessToken({ appId: 'wx1', token: 'tok', expiresAt: now + 7_200_000 });
    expect(await store.claimAccessTokenLease('wx1', 'D', now + 30_005, now + 60_005)).toBe(false);
    expect(await store.readAccessToken('wx1')).toEqual({ appId: 'wx1', token: 'tok', expiresAt: now + 7_200_000 });
  });

  it('gives the lease to exactly one of many instances claiming at the same moment', async () => {
    const instances = await openInstances(6);
    const now = Date.now();

    const claims = await Promise.all(instances.map((store, index) => store.claimAccessTokenLease('wx1', `holder-${index}`, now, now + 30_000)));

    expect(claims.filter(Boolean)).toHaveLength(1);
  });
});
