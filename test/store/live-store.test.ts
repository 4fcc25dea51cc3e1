// The store contract for live status in the chat, on both engines: the card outbox written by a
// link's end whatever ends it, card updates claimed in order per card and once across instances,
// subscriptions taken once, shopper binding won once.
import { describe, expect, it } from 'vitest';
import type { LinkActivityRecord, LinkLiveRecord, LinkRecord, SubscriptionRecord } from '../../server/src/store/records';
import type { Store } from '../../server/src/store/store';
import { engines } from '../support/test-database';
import { storeHarness } from '../support/store-harness';
import { paymentRecord, seedLink } from './records';

function liveRecord(linkId: string, overrides: Partial<LinkLiveRecord> = {}): LinkLiveRecord {
  return { linkId, audience: 'group', roomLimit: 3, shopperOpenid: null, shopperBoundAt: null, expiringNoticeAt: null, createdAt: 0, ...overrides };
}

function activity(activityId: string, linkId: string, expiresAt: number, createdAt = 0): LinkActivityRecord {
  return { activityId, linkId, audience: 'group', ownerOpenid: null, expiresAt, createdAt };
}

function subscription(id: string, linkId: string, openid: string, createdAt: number, overrides: Partial<SubscriptionRecord> = {}): SubscriptionRecord {
  return { id, linkId, openid, role: 'shopper', kind: 'friend_paid', templateId: 'tpl', status: 'available', createdAt, usedAt: null, ...overrides };
}

describe.each(engines)('the live store contract (%s)', (engine) => {
  const { openStore, openInstances } = storeHarness(engine);

  /** A group link with two live cards and one expired, and two paid contributions through it. */
  async function sharedLink(store: Store, now: number): Promise<LinkRecord> {
    const link = await seedLink(store, now, { mode: 'group' });
    await store.insertLinkLive(liveRecord(link.id));
    await store.insertLinkActivity(activity('act_old', link.id, now - 1, 1));
    await store.insertLinkActivity(activity('act_a', link.id, now + 3_600_000, 2));
    await store.insertLinkActivity(activity('act_b', link.id, now + 7_200_000, 3));
    await store.transaction(async (tx) => {
      for (const [index, payer] of ['o_1', 'o_2'].entries()) {
        await tx.insertPayment(paymentRecord(`pay_${index}`, link, payer, now, { mode: 'group', amount: 30, status: 'paid', keptAmount: 30, paidAt: now }));
      }
    });
    return link;
  }

  it('writes the final card update of every live card in the transaction that ends the link, a revoke included', async () => {
    const store = await openStore();
    const now = Date.now();
    const link = await sharedLink(store, now);
    await store.transitionLink({ id: link.id, from: ['active'], to: 'revoked', at: now });
    const updates = await store.listCardUpdates(link.id);
    expect(updates.map(({ activityId, targetState, memberCount, roomLimit, doneAt }) => ({ activityId, targetState, memberCount, roomLimit, doneAt }))).toEqual([
      { activityId: 'act_a', targetState: 1, memberCount: 2, roomLimit: 3, doneAt: null },
      { activityId: 'act_b', targetState: 1, memberCount: 2, roomLimit: 3, doneAt: null },
    ]);
    // Leaving a final state does not happen, and a second end of the same link writes nothing.
    await store.transitionLink({ id: link.id, from: ['active', 'revoked'], to: 'void', at: now });
    expect(await store.listCardUpdates(link.id)).toHaveLength(2);
  });

  it('does the same when the sweeper expires a link and when a transaction voids one', async () => {
    const store = await openStore();
    const now = Date.now();
    const link = await sharedLink(store, now);
    await store.transaction((tx) => tx.voidActiveLinks(link.orderId, now));
    expect((await store.listCardUpdates(link.id)).map((update) => update.targetState)).toEqual([1, 1]);

    const expiring = await openStore();
    const due = await sharedLink(expiring, now);
    await expiring.transaction((tx) => tx.updateLink(due.id, { expiresAt: now - 10 }, ['active']));
    await expiring.expireDueLinks(now, 10, (l) => ({ id: `evt_${l.id}`, shopId: l.shopId, type: 'link.expired', payload: { link_id: l.id, order_id: l.orderId, status: 'expired', at: new Date(now).toISOString() }, createdAt: now }));
    expect((await expiring.listCardUpdates(due.id)).map((update) => `${update.activityId}:${update.targetState}:${update.memberCount}`)).toEqual(['act_a:1:2', 'act_b:1:2']);
  });

  it('claims only the oldest unfinished update of each card, and the next once it is finished', async () => {
    const store = await openStore();
    const now = Date.now();
    const link = await sharedLink(store, now);
    await store.transaction(async (tx) => {
      for (const memberCount of [1, 2]) {
        for (const activityId of ['act_a', 'act_b']) await tx.insertCardUpdate({ linkId: link.id, activityId, targetState: 0, memberCount, roomLimit: 3, createdAt: now });
      }
    });
    const first = await store.claimDueCardUpdates(now, 10, now + 30_000);
    expect(first.map((update) => `${update.activityId}:${update.memberCount}`)).toEqual(['act_a:1', 'act_b:1']);
    // Claimed ones are not due again; their successors wait for them.
    expect(await store.claimDueCardUpdates(now, 10, now + 30_000)).toEqual([]);
    await store.finishCardUpdate(first[0].id, now, 'sent', null);
    await store.retryCardUpdate(first[1].id, now + 5000, 'SYSTEM_BUSY');
    expect((await store.claimDueCardUpdates(now, 10, now + 30_000)).map((update) => `${update.activityId}:${update.memberCount}`)).toEqual(['act_a:2']);
    expect((await store.claimDueCardUpdates(now + 5000, 10, now + 35_000)).map((update) => `${update.activityId}:${update.memberCount}:${update.attempts}`)).toEqual(['act_b:1:1']);
  });

  it('never hands the same card update to two instances claiming at once', async () => {
    const [a, b] = (await openInstances(2)) as [Store, Store];
    const now = Date.now();
    const link = await seedLink(a, now, { mode: 'group' });
    await a.transaction(async (tx) => {
      for (let i = 0; i < 30; i++) await tx.insertCardUpdate({ linkId: link.id, activityId: `act_${i}`, targetState: 0, memberCount: 1, roomLimit: 3, createdAt: now });
    });
    const [x, y] = await Promise.all([a.claimDueCardUpdates(now, 30, now + 30_000), b.claimDueCardUpdates(now, 30, now + 30_000)]);
    const ids = [...x, ...y].map((update) => update.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(30);
  });

  it('takes each subscription once, oldest first, even when two instances take at once', async () => {
    // SQLite's instances are processes taking turns on the file's lock; in one process (a test)
    // an instance's waiting BEGIN would block the other's commit, so there one store races itself.
    const instances = await openInstances(engine === 'postgres' ? 2 : 1);
    const [a, b] = [instances[0], instances[instances.length - 1]];
    const now = Date.now();
    const link = await seedLink(a, now);
    await a.insertSubscriptions([subscription('sub_2', link.id, 'o_s', now + 1), subscription('sub_1', link.id, 'o_s', now), subscription('sub_other', link.id, 'o_other', now)]);
    const taken = await Promise.all([a, b, a].map((store) => store.transaction((tx) => tx.takeSubscription(link.id, 'o_s', 'friend_paid', now))));
    expect(taken.map((record) => record?.id).sort()).toEqual(['sub_1', 'sub_2', undefined].sort());
    expect((await a.listSubscriptions(link.id)).map((record) => `${record.id}:${record.status}`)).toEqual(['sub_1:used', 'sub_other:available', 'sub_2:used']);
  });

  it('binds the first shopper only, even when two instances bind at once', async () => {
    const [a, b] = (await openInstances(2)) as [Store, Store];
    const now = Date.now();
    const link = await seedLink(a, now);
    await a.insertLinkLive(liveRecord(link.id));
    const results = await Promise.all([a.bindShopper(link.id, 'o_first', now), b.bindShopper(link.id, 'o_second', now)]);
    expect(results.map((result) => result.outcome).sort()).toEqual(['bound', 'other']);
    const winner = results.find((result) => result.outcome === 'bound');
    const again = await a.bindShopper(link.id, winner?.outcome === 'bound' ? winner.live.shopperOpenid! : '', now);
    expect(again.outcome).toBe('already');
    expect((await a.bindShopper('lnk_missing', 'o_x', now)).outcome).toBe('missing');
  });

  it('keeps proofs, sealed session keys (latest wins) and expiry warnings once', async () => {
    const store = await openStore();
    const now = Date.now();
    const link = await seedLink(store, now, { expiresAt: now + 1_800_000 });
    await store.insertLinkLive(liveRecord(link.id, { shopperOpenid: 'o_shop', shopperBoundAt: now }));
    expect(await store.hasPrivateProof(link.id, 'o_f')).toBe(false);
    await store.savePrivateProof(link.id, 'o_f', 'act_1', now);
    await store.savePrivateProof(link.id, 'o_f', 'act_2', now);
    expect(await store.hasPrivateProof(link.id, 'o_f')).toBe(true);
    await store.saveWechatSessionKey('o_f', 'v1.first', now);
    await store.saveWechatSessionKey('o_f', 'v1.second', now + 1);
    expect(await store.getWechatSessionKey('o_f')).toBe('v1.second');
    expect(await store.getWechatSessionKey('o_nobody')).toBeUndefined();

    expect(await store.listLinksToWarnOfExpiry(now, now + 3_600_000, 10)).toEqual([]);
    await store.insertSubscriptions([subscription('sub_exp', link.id, 'o_shop', now, { kind: 'link_expiring' })]);
    expect(await store.listLinksToWarnOfExpiry(now, now + 3_600_000, 10)).toEqual([link.id]);
    expect(await store.listLinksToWarnOfExpiry(now, now + 60_000, 10)).toEqual([]);
    expect(await store.transaction((tx) => tx.markExpiryWarned(link.id, now))).toBe(true);
    expect(await store.transaction((tx) => tx.markExpiryWarned(link.id, now))).toBe(false);
    expect(await store.listLinksToWarnOfExpiry(now, now + 3_600_000, 10)).toEqual([]);
  });
});
