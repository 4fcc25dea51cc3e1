import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../server/src/store/sqlite/sqlite-store';
import type { LinkRecord, OrderRecord } from '../../server/src/store/records';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'friend-pay-store-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function order(id: string, shopId: string, now: number): OrderRecord {
  return {
    id, shopId, shopOrderId: `so-${id}`, shopperId: 's', amountTotal: 100, amountPaid: 0, amountRefunded: 0, currency: 'CNY',
    items: [{ title: 't', quantity: 1, unit_price: 100 }], shipTo: null, payDeadline: now + 3_600_000, status: 'pending',
    fingerprint: 'f', createdAt: now, updatedAt: now, cancelledAt: null,
  };
}

function link(id: string, orderId: string, shopId: string, expiresAt: number): LinkRecord {
  return {
    id, orderId, shopId, mode: 'single', status: 'active', requesterId: 'r', requesterName: 'R', requesterAvatarUrl: null,
    message: null, expiresAt, createdAt: 0, closedAt: null,
  };
}

describe('SQLite store', () => {
  it('creates its folder and file, and running the migrations twice changes nothing', async () => {
    const file = path.join(dir, 'nested', 'deeper', 'fp.sqlite');
    const store = openSqliteStore(file);
    await store.migrate();
    await store.migrate();
    await store.close();
    expect(fs.existsSync(file)).toBe(true);
  });

  it('lets exactly one of two connections win a race on the same link', async () => {
    const file = path.join(dir, 'race.sqlite');
    const a = openSqliteStore(file);
    const b = openSqliteStore(file);
    await a.migrate();
    await b.migrate();
    const now = Date.now();
    await a.insertShop({ id: 'shop_1', name: 'S', apiKeyHash: 'h', webhookUrl: null, webhookSecret: 'w', createdAt: now });
    await a.upsertOrder(order('ord_1', 'shop_1', now));
    await a.insertLink(link('lnk_1', 'ord_1', 'shop_1', now + 60_000));
    const results = await Promise.all([
      a.transitionLink({ id: 'lnk_1', from: ['active'], to: 'revoked', at: now }),
      b.transitionLink({ id: 'lnk_1', from: ['active'], to: 'paid', at: now }),
    ]);
    expect(results.filter((result) => result !== undefined)).toHaveLength(1);
    expect((await b.getLink('lnk_1'))?.status).toBe(results[0] ? 'revoked' : 'paid');
    await a.close();
    await b.close();
  });

  it('expires due links in bounded batches, each with its event', async () => {
    const store = openSqliteStore(':memory:');
    await store.migrate();
    const now = Date.now();
    await store.insertShop({ id: 'shop_1', name: 'S', apiKeyHash: 'h', webhookUrl: null, webhookSecret: 'w', createdAt: now });
    await store.upsertOrder(order('ord_1', 'shop_1', now));
    for (let i = 0; i < 7; i++) await store.insertLink(link(`lnk_${i}`, 'ord_1', 'shop_1', now - 1000 + i));
    await store.insertLink(link('lnk_future', 'ord_1', 'shop_1', now + 60_000));
    const eventFor = (l: LinkRecord) => ({ id: `evt_${l.id}`, shopId: l.shopId, type: 'link.expired' as const, payload: { link_id: l.id }, createdAt: now });
    expect((await store.expireDueLinks(now, 5, eventFor)).length).toBe(5);
    expect((await store.expireDueLinks(now, 5, eventFor)).length).toBe(2);
    expect((await store.expireDueLinks(now, 5, eventFor)).length).toBe(0);
    expect((await store.getLink('lnk_future'))?.status).toBe('active');
    expect(await store.listEvents('shop_1', 100)).toHaveLength(7);
    await store.close();
  });
});
