import { describe, expect, it } from 'vitest';
import type { LinkRecord } from '../../server/src/store/records';
import type { Store } from '../../server/src/store/store';
import { engines } from '../support/test-database';
import { storeHarness } from '../support/store-harness';
import { eventRecord, linkRecord, orderRecord, paymentRecord, refundRecord, seedLink, shopRecord, storedEvent } from './records';

describe.each(engines)('the store contract (%s)', (engine) => {
  const { openStore, openInstances } = storeHarness(engine);

  it('lets exactly one of two connections win a race on the same link', async () => {
    const [a, b] = (await openInstances(2)) as [Store, Store];
    const now = Date.now();
    await a.insertShop({ id: 'shop_1', name: 'S', apiKeyHash: 'h', webhookUrl: null, webhookSecret: 'w', createdAt: now, subMchId: null, subAppId: null });
    await a.upsertOrder(orderRecord('ord_1', 'shop_1', now));
    await a.insertLink(linkRecord('lnk_1', 'ord_1', 'shop_1', now + 60_000));
    const results = await Promise.all([
      a.transitionLink({ id: 'lnk_1', from: ['active'], to: 'revoked', at: now }),
      b.transitionLink({ id: 'lnk_1', from: ['active'], to: 'paid', at: now }),
    ]);
    expect(results.filter((result) => result !== undefined)).toHaveLength(1);
    expect((await b.getLink('lnk_1'))?.status).toBe(results[0] ? 'revoked' : 'paid');
  });

  it('expires due links in bounded batches, each with its event', async () => {
    const store = await openStore();
    const now = Date.now();
    await store.insertShop({ id: 'shop_1', name: 'S', apiKeyHash: 'h', webhookUrl: null, webhookSecret: 'w', createdAt: now, subMchId: null, subAppId: null });
    await store.upsertOrder(orderRecord('ord_1', 'shop_1', now));
    for (let i = 0; i < 7; i++) await store.insertLink(linkRecord(`lnk_${i}`, 'ord_1', 'shop_1', now - 1000 + i));
    await store.insertLink(linkRecord('lnk_future', 'ord_1', 'shop_1', now + 60_000));
    const eventFor = (l: LinkRecord) => ({ id: `evt_${l.id}`, shopId: l.shopId, type: 'link.expired' as const, payload: { link_id: l.id, order_id: l.orderId, status: 'expired' as const, at: new Date(now).toISOString() }, createdAt: now });
    expect((await store.expireDueLinks(now, 5, eventFor)).length).toBe(5);
    expect((await store.expireDueLinks(now, 5, eventFor)).length).toBe(2);
    expect((await store.expireDueLinks(now, 5, eventFor)).length).toBe(0);
    expect((await store.getLink('lnk_future'))?.status).toBe('active');
    expect(await store.listEvents('shop_1', 100)).toHaveLength(7);
  });

  it('gives back every field as stored: times and money past 32 bits as numbers, JSON as sent, nulls as null', async () => {
    const store = await openStore();
    const now = 1_893_456_000_123; // 2030: epoch milliseconds need 41 bits
    const shop = shopRecord('shop_1', now, { webhookUrl: 'https://shop.example/hooks' });
    const order = orderRecord('ord_1', 'shop_1', now, {
      amountTotal: 5_000_000_000, items: [{ title: '咖啡豆 "深烘"', quantity: 2, unit_price: 2_500_000_000, image_url: 'https://img.example/a.png' }],
      shipTo: { name: '王', address: 'line\\one' }, payDeadline: now + 86_400_000,
    });
    const link = linkRecord('lnk_1', 'ord_1', 'shop_1', now + 60_000, { mode: 'group', requesterAvatarUrl: 'https://img.example/r.png', message: '帮我付', createdAt: now });
    await store.insertShop(shop);
    await store.upsertOrder(order);
    await store.insertLink(link);
    const payment = paymentRecord('pay_1', link, 'o_friend', now, {
      amount: 3_000_000_000, requestPayment: { timeStamp: '1893456000', nonceStr: 'n', package: 'prepay_id=wx1', signType: 'RSA', paySign: 's' },
    });
    const refund = refundRecord('rfd_1', payment, 1, now);
    const afterSale = refundRecord('rfd_2', payment, 2_500_000_000, now + 1, { reason: 'after_sale', note: '少发了一件 "包装"', requestKey: 'key/1', status: 'abnormal', wechatRefundId: '50300', lastError: 'WeChat Pay refund abnormal' });
    const event = eventRecord('evt_1', 'shop_1', now);
    await store.transaction(async (tx) => {
      await tx.insertPayment(payment);
      await tx.insertRefund(refund);
      await tx.insertRefund(afterSale);
      await tx.insertEvent(event);
    });

    expect(await store.getShop('shop_1')).toEqual(shop);
    expect(await store.findShopByApiKeyHash(shop.apiKeyHash)).toEqual(shop);
    expect(await store.getOrder('ord_1')).toEqual(order);
    expect(await store.getLink('lnk_1')).toEqual(link);
    expect(await store.getLinkView('lnk_1')).toEqual({ link, order, shopName: 'S' });
    expect(await store.getFriendLinkView('lnk_1')).toEqual({ link, order, shopName: 'S', audience: 'group', payments: [payment] });
    expect(await store.getFriendLinkView('lnk_none')).toBeUndefined();
    expect(await store.getPayment('pay_1')).toEqual(payment);
    expect(await store.listRefundsOfOrder('ord_1')).toEqual([refund, afterSale]);
    expect(await store.listRefundsOfPayment('pay_1')).toEqual([refund, afterSale]);
    expect(await store.listRefundsOfPayment('pay_none')).toEqual([]);
    expect(await store.getRefund('rfd_2')).toEqual(afterSale);
    expect(await store.getRefund('rfd_none')).toBeUndefined();
    expect(await store.listEvents('shop_1', 10)).toEqual([storedEvent(event)]);
    expect(await store.oldestUndeliveredEventAt()).toBe(now);
    await store.transaction(async (tx) => {
      expect(await tx.getPaymentByOutTradeNo(payment.outTradeNo, true)).toEqual(payment);
      expect(await tx.getRefundByOutRefundNo(refund.outRefundNo, true)).toEqual(refund);
      expect(await tx.getLink('lnk_1', true)).toEqual(link);
      expect(await tx.getOrder('ord_1', true)).toEqual(order);
    });
  });

  it('changes a row only while it is in a state the conditional update names', async () => {
    const store = await openStore();
    const now = Date.now();
    const link = await seedLink(store, now);
    await store.transaction((tx) => tx.insertPayment(paymentRecord('pay_1', link, 'o_a', now)));
    const refused = await store.transaction((tx) => tx.updatePayment('pay_1', { status: 'refunded', updatedAt: now + 1 }, ['paid', 'refunding']));
    expect(refused).toBeUndefined();
    const paid = await store.transaction((tx) => tx.updatePayment('pay_1', { status: 'paid', keptAmount: 100, paidAt: now + 2, updatedAt: now + 2 }, ['created']));
    expect(paid).toMatchObject({ status: 'paid', keptAmount: 100, paidAt: now + 2 });
    expect(await store.transaction((tx) => tx.updatePayment('pay_1', { status: 'closed' }, ['created']))).toBeUndefined();
    expect((await store.getPayment('pay_1'))?.status).toBe('paid');
    expect(await store.transaction((tx) => tx.updateLink('lnk_1', { status: 'paid', closedAt: now }, ['revoked']))).toBeUndefined();
    expect(await store.transaction((tx) => tx.updateOrder('ord_1', { amountPaid: 100 }, ['cancelled']))).toBeUndefined();
    expect((await store.getOrder('ord_1'))?.amountPaid).toBe(0);
  });

  it('updates a payment and an order read in the same transaction, gives them back as now stored, and only from the states named', async () => {
    const store = await openStore();
    const now = Date.now();
    const link = await seedLink(store, now);
    const record = paymentRecord('pay_1', link, 'o_a', now);
    await store.transaction((tx) => tx.insertPayment(record));

    const [refused, paid, orderPaid, again] = await store.transaction(async (tx) => {
      const { payment, order } = (await tx.getPaymentToSettle(record.outTradeNo))!;
      return [
        await tx.updatePaymentFrom(payment, { status: 'refunded', updatedAt: now + 1 }, ['paid']),
        await tx.updatePaymentFrom(payment, { status: 'paid', transactionId: '4200000001', keptAmount: 100, paidAt: now + 2, updatedAt: now + 2 }, ['created']),
        await tx.updateOrderFrom(order, { amountPaid: 100, status: 'paid', updatedAt: now + 2 }, ['pending']),
        await tx.updateOrderFrom(order, { amountPaid: 200 }, ['pending']),
      ] as const;
    });

    expect(refused).toBeUndefined();
    expect(again).toBeUndefined();
    expect(paid).toEqual(await store.getPayment('pay_1'));
    expect(paid).toMatchObject({ status: 'paid', transactionId: '4200000001', keptAmount: 100, paidAt: now + 2 });
    expect(orderPaid).toEqual(await store.getOrder('ord_1'));
    expect(orderPaid).toMatchObject({ amountPaid: 100, status: 'paid' });
  });

  it('reads a payment to settle with its order, its link, its shopper and how many other payments of the order were paid', async () => {
    const store = await openStore();
    const now = 1_893_456_000_123;
    await store.insertShop(shopRecord('shop_1', now));
    const order = orderRecord('ord_1', 'shop_1', now, { amountTotal: 300, shipTo: { name: '王', address: '一号' } });
    await store.upsertOrder(order);
    const link = linkRecord('lnk_1', 'ord_1', 'shop_1', now + 60_000, { mode: 'group', message: '帮我付', createdAt: now });
    await store.insertLink(link);
    const first = paymentRecord('pay_1', link, 'o_a', now, { payerName: '李雷' });
    const second = paymentRecord('pay_2', link, 'o_b', now + 1);
    await store.transaction(async (tx) => {
      await tx.insertPayment(first);
      await tx.insertPayment(second);
    });
    expect(await store.transaction((tx) => tx.getPaymentToSettle(first.outTradeNo))).toEqual({ payment: first, order, link, shopperOpenid: null, otherPaidPayments: 0 });
    expect(await store.transaction((tx) => tx.getPaymentToSettle('FPnone'))).toBeUndefined();

    await store.insertLinkLive({ linkId: 'lnk_1', audience: 'group', roomLimit: 10, shopperOpenid: null, shopperBoundAt: null, expiringNoticeAt: null, createdAt: now });
    await store.bindShopper('lnk_1', 'o_shopper', now);
    const paidFirst = await store.transaction((tx) => tx.updatePayment('pay_1', { status: 'paid', paidAt: now + 5, keptAmount: 100, updatedAt: now + 5 }, ['created']));
    expect(await store.transaction((tx) => tx.getPaymentToSettle(second.outTradeNo))).toEqual({ payment: second, order, link, shopperOpenid: 'o_shopper', otherPaidPayments: 1 });
    expect(await store.transaction((tx) => tx.getPaymentToSettle(first.outTradeNo))).toEqual({ payment: paidFirst, order, link, shopperOpenid: 'o_shopper', otherPaidPayments: 0 });
  });

  it('ends the links of an order paid through one of them: that one paid (from active or expired), the other active ones void, the rest as they were', async () => {
    const store = await openStore();
    const now = Date.now();
    await store.insertShop(shopRecord('shop_1', now));
    await store.upsertOrder(orderRecord('ord_1', 'shop_1', now));
    await store.upsertOrder(orderRecord('ord_2', 'shop_1', now, { shopOrderId: 'S-2' }));
    await store.insertLink(linkRecord('lnk_paid', 'ord_1', 'shop_1', now - 1000, { status: 'expired' }));
    await store.insertLink(linkRecord('lnk_other', 'ord_1', 'shop_1', now + 60_000));
    await store.insertLink(linkRecord('lnk_expired', 'ord_1', 'shop_1', now - 1000, { status: 'expired' }));
    await store.insertLink(linkRecord('lnk_revoked', 'ord_1', 'shop_1', now + 60_000, { status: 'revoked', closedAt: now - 5 }));
    await store.insertLink(linkRecord('lnk_elsewhere', 'ord_2', 'shop_1', now + 60_000));
    await store.transaction((tx) => tx.endLinksOfPaidOrder('ord_1', 'lnk_paid', now));
    const statuses = Object.fromEntries((await store.listLinksOfOrder('ord_1')).map((l) => [l.id, [l.status, l.closedAt]]));
    expect(statuses).toEqual({ lnk_paid: ['paid', now], lnk_other: ['void', now], lnk_expired: ['expired', null], lnk_revoked: ['revoked', now - 5] });
    expect((await store.getLink('lnk_elsewhere'))?.status).toBe('active');
  });

  it('stores the prepay of an open payment once: a racing second one gets the first back', async () => {
    const store = await openStore();
    const now = Date.now();
    const link = await seedLink(store, now);
    await store.transaction(async (tx) => {
      await tx.insertPayment(paymentRecord('pay_1', link, 'o_a', now));
      await tx.insertPayment(paymentRecord('pay_2', link, 'o_b', now, { status: 'closed', closedAt: now }));
    });
    const params = (paySign: string) => ({ timeStamp: '1893456000', nonceStr: 'n', package: 'prepay_id=wx1', signType: 'RSA' as const, paySign });
    const [first, second] = await Promise.all([
      store.attachPrepay('pay_1', 'wx1', params('first'), now + 1),
      store.attachPrepay('pay_1', 'wx2', params('second'), now + 2),
    ]);
    expect(first).toMatchObject({ prepayId: 'wx1', requestPayment: params('first'), updatedAt: now + 1 });
    expect(second).toEqual(first);
    expect(await store.getPayment('pay_1')).toEqual(first);
    // A payment no longer open keeps what it had; an unknown one is undefined.
    expect(await store.attachPrepay('pay_2', 'wx3', params('late'), now + 3)).toMatchObject({ status: 'closed', prepayId: null, requestPayment: null });
    expect(await store.attachPrepay('pay_none', 'wx4', params('none'), now + 4)).toBeUndefined();
  });

  it('keeps nothing of a transaction whose callback throws', async () => {
    const store = await openStore();
    const now = Date.now();
    const link = await seedLink(store, now);
    await expect(store.transaction(async (tx) => {
      await tx.insertPayment(paymentRecord('pay_1', link, 'o_a', now));
      await tx.updateOrder('ord_1', { amountPaid: 100 }, ['pending']);
      await tx.insertEvent(eventRecord('evt_1', 'shop_1', now));
      throw new Error('the rules said no');
    })).rejects.toThrow('the rules said no');
    expect(await store.getPayment('pay_1')).toBeUndefined();
    expect((await store.getOrder('ord_1'))?.amountPaid).toBe(0);
    expect(await store.listEvents('shop_1', 10)).toEqual([]);
    // The store is still usable after the rollback.
    await store.transaction((tx) => tx.insertPayment(paymentRecord('pay_2', link, 'o_a', now)));
    expect((await store.getPayment('pay_2'))?.status).toBe('created');
  });

  it('keeps each of many concurrent transactions whole: one that throws loses its writes only, the others keep theirs, each sees those before it', async () => {
    const store = await openStore();
    const now = Date.now();
    const link = await seedLink(store, now);
    const outcomes = await Promise.allSettled(Array.from({ length: 8 }, (_, index) => store.transaction(async (tx) => {
      await tx.insertPayment(paymentRecord(`pay_${index}`, link, `o_${index}`, now, { status: 'failed' }));
      const order = await tx.getOrder('ord_1', true);
      if (order === undefined) throw new Error('no order');
      await tx.updateOrder('ord_1', { amountPaid: order.amountPaid + 10, updatedAt: now }, ['pending']);
      if (index === 3) throw new Error('the rules said no');
      return index;
    })));
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled', 'fulfilled']);
    expect(await store.getPayment('pay_3')).toBeUndefined();
    for (const index of [0, 1, 2, 4, 5, 6, 7]) expect(await store.getPayment(`pay_${index}`), `pay_${index}`).toBeDefined();
    // Seven increments of 10 kept, none lost to another, the failed one's undone.
    expect((await store.getOrder('ord_1'))?.amountPaid).toBe(70);
  });

  it('keeps a write made outside a transaction while its callback waits, though that transaction rolls back', async () => {
    const store = await openStore();
    const now = Date.now();
    const link = await seedLink(store, now);
    let entered: () => void = () => undefined;
    const inside = new Promise<void>((resolve) => (entered = resolve));
    const rolledBack = store.transaction(async (tx) => {
      await tx.insertPayment(paymentRecord('pay_1', link, 'o_a', now));
      entered();
      // A turn of the event loop: the write below starts while this callback is suspended.
      await new Promise((resolve) => setImmediate(resolve));
      throw new Error('the rules said no');
    });
    await inside;
    const outside = store.insertShop(shopRecord('shop_2', now));
    await expect(rolledBack).rejects.toThrow('the rules said no');
    await outside;
    expect(await store.getShop('shop_2')).toEqual(shopRecord('shop_2', now));
    expect(await store.getPayment('pay_1')).toBeUndefined();
  });

  it('loses no update when 20 transactions read the same order with a lock and write it at once', async () => {
    const store = await openStore();
    const now = Date.now();
    await seedLink(store, now);
    await Promise.all(Array.from({ length: 20 }, () => store.transaction(async (tx) => {
      const order = await tx.getOrder('ord_1', true);
      if (order === undefined) throw new Error('no order');
      await tx.updateOrder('ord_1', { amountPaid: order.amountPaid + 1, updatedAt: now }, ['pending']);
    })));
    expect((await store.getOrder('ord_1'))?.amountPaid).toBe(20);
  });

  it('keeps an order\'s refunded amount within what was paid, and one refund per payment per shop request', async () => {
    const store = await openStore();
    const now = Date.now();
    const link = await seedLink(store, now);
    const payment = paymentRecord('pay_1', link, 'o_a', now, { status: 'paid', keptAmount: 100, paidAt: now });
    await store.transaction(async (tx) => {
      await tx.insertPayment(payment);
      await tx.updateOrder('ord_1', { amountPaid: 100, status: 'paid' }, ['pending']);
    });
    await expect(store.transaction((tx) => tx.updateOrder('ord_1', { amountRefunded: 101 }, ['paid']))).rejects.toThrow();
    expect(await store.transaction((tx) => tx.updateOrder('ord_1', { amountRefunded: 100, status: 'refunded' }, ['paid']))).toMatchObject({ amountRefunded: 100, status: 'refunded' });
    await store.transaction((tx) => tx.insertRefund(refundRecord('rfd_1', payment, 60, now, { reason: 'after_sale', requestKey: 'k1' })));
    await expect(store.transaction((tx) => tx.insertRefund(refundRecord('rfd_2', payment, 40, now, { reason: 'after_sale', requestKey: 'k1' })))).rejects.toThrow();
    await store.transaction((tx) => tx.insertRefund(refundRecord('rfd_3', payment, 40, now, { reason: 'after_sale', requestKey: 'k2' })));
    for (const status of ['processing', 'succeeded', 'abnormal', 'closed'] as const) {
      expect(await store.transaction((tx) => tx.updateRefund('rfd_3', { status }, ['pending', 'processing', 'succeeded', 'abnormal', 'closed']))).toMatchObject({ status });
    }
    expect((await store.listRefundsOfPayment('pay_1')).map((r) => r.id)).toEqual(['rfd_1', 'rfd_3']);
  });

  it('refuses a second open payment on a single-mode link', async () => {
    const store = await openStore();
    const now = Date.now();
    const link = await seedLink(store, now);
    await store.transaction((tx) => tx.insertPayment(paymentRecord('pay_1', link, 'o_a', now)));
    await expect(store.transaction((tx) => tx.insertPayment(paymentRecord('pay_2', link, 'o_b', now)))).rejects.toThrow();
    expect((await store.listPaymentsOfOrder('ord_1')).map((p) => p.id)).toEqual(['pay_1']);
  });

  it('never hands the same due event to two instances claiming at once', async () => {
    const [a, b] = (await openInstances(2)) as [Store, Store];
    const now = Date.now();
    await a.insertShop(shopRecord('shop_1', now));
    await a.transaction(async (tx) => {
      for (let i = 0; i < 30; i++) await tx.insertEvent(eventRecord(`evt_${String(i).padStart(2, '0')}`, 'shop_1', now - 1000));
    });
    const rounds = await Promise.all([a, b, a, b, a, b].map((store) => store.claimDueEvents(now, 7, now + 30_000)));
    const claimed = rounds.flat().map((event) => event.id);
    expect(new Set(claimed).size).toBe(claimed.length);
    expect(claimed).toHaveLength(30);
    expect(await a.claimDueEvents(now, 100, now + 30_000)).toEqual([]);
    expect((await b.claimDueEvents(now + 30_000, 100, now + 60_000)).length).toBe(30); // the claim lapses
  });

  it('expires each due link and closes each overdue order once when two instances sweep at once', async () => {
    const [a, b] = (await openInstances(2)) as [Store, Store];
    const now = Date.now();
    await a.insertShop(shopRecord('shop_1', now));
    for (let i = 0; i < 6; i++) await a.upsertOrder(orderRecord(`ord_late_${i}`, 'shop_1', now, { payDeadline: now - 1 }));
    await a.upsertOrder(orderRecord('ord_1', 'shop_1', now));
    for (let i = 0; i < 40; i++) await a.insertLink(linkRecord(`lnk_${String(i).padStart(2, '0')}`, 'ord_1', 'shop_1', now - 1000 + i));
    const eventFor = (l: LinkRecord) => ({ id: `evt_${l.id}`, shopId: l.shopId, type: 'link.expired' as const, payload: { link_id: l.id, order_id: l.orderId, status: 'expired' as const, at: new Date(now).toISOString() }, createdAt: now });
    const sweep = async (store: Store): Promise<string[]> => {
      const expired: string[] = [];
      for (;;) {
        const batch = await store.expireDueLinks(now, 4, eventFor);
        expired.push(...batch.map((link) => link.id));
        if (batch.length === 0) return expired;
      }
    };
    const swept = (await Promise.all([sweep(a), sweep(b), sweep(a)])).flat();
    expect(swept).toHaveLength(40);
    expect(new Set(swept).size).toBe(40);
    expect(await a.listEvents('shop_1', 100)).toHaveLength(40);
    const closed = await Promise.all([a.closeOverdueOrders(now, 2), b.closeOverdueOrders(now, 2), a.closeOverdueOrders(now, 2), b.closeOverdueOrders(now, 2)]);
    const more = (await a.closeOverdueOrders(now, 10)) + (await b.closeOverdueOrders(now, 10));
    expect(closed.reduce((sum, count) => sum + count, 0) + more).toBe(6);
    expect((await a.getOrder('ord_1'))?.status).toBe('pending');
  });

  it('creates an order once when two instances upsert it at once, then tells an identical one from a conflicting one', async () => {
    const [a, b] = (await openInstances(2)) as [Store, Store];
    const now = Date.now();
    await a.insertShop(shopRecord('shop_1', now));
    const outcomes = await Promise.all([a, b, a, b].map((store, i) => store.upsertOrder(orderRecord(`ord_${i}`, 'shop_1', now, { shopOrderId: 'so-same' }))));
    expect(outcomes.filter((outcome) => outcome.outcome === 'created')).toHaveLength(1);
    const winner = outcomes.find((outcome) => outcome.outcome === 'created')!.order.id;
    for (const outcome of outcomes) expect(outcome.order.id).toBe(winner);
    expect((await b.upsertOrder(orderRecord('ord_x', 'shop_1', now, { shopOrderId: 'so-same', fingerprint: 'other' }))).outcome).toBe('conflict');
    expect((await b.findOrderByShopOrderId('shop_1', 'so-same'))?.id).toBe(winner);
  });

  it('claims an idempotency key once and hands back what the first request stored', async () => {
    const store = await openStore();
    const record = { scope: 'shop:1', key: 'k-1', requestHash: 'h1', state: 'pending' as const, statusCode: null, responseBody: null, createdAt: 1, holder: 'a', heldUntil: 10_001 };
    expect(await store.claimIdempotencyKey(record)).toEqual({ claimed: true });
    expect(await store.claimIdempotencyKey({ ...record, requestHash: 'h2', createdAt: 2, holder: 'b' })).toEqual({ claimed: false, existing: record });
    await store.completeIdempotencyKey('shop:1', 'k-1', 'b', 500, '{"not":"its holder"}'); // only the holder completes
    await store.completeIdempotencyKey('shop:1', 'k-1', 'a', 201, '{"id":"x"}');
    await store.releaseIdempotencyKey('shop:1', 'k-1', 'a'); // a done key is kept
    const done = { ...record, state: 'done', statusCode: 201, responseBody: '{"id":"x"}' };
    expect(await store.claimIdempotencyKey({ ...record, holder: 'c' })).toEqual({ claimed: false, existing: done });
    // Long after: a done key is never taken over, whatever its hold said.
    expect(await store.claimIdempotencyKey({ ...record, holder: 'c', createdAt: 99_999, heldUntil: 109_999 })).toEqual({ claimed: false, existing: done });
    expect(await store.claimIdempotencyKey({ ...record, key: 'k-2' })).toEqual({ claimed: true });
    await store.releaseIdempotencyKey('shop:1', 'k-2', 'someone else');
    expect((await store.claimIdempotencyKey({ ...record, key: 'k-2', holder: 'b' })).claimed).toBe(false);
    await store.releaseIdempotencyKey('shop:1', 'k-2', 'a');
    expect(await store.claimIdempotencyKey({ ...record, key: 'k-2', holder: 'b' })).toEqual({ claimed: true });
  });

  it('lets a retry take over a pending claim once its hold ran out, never while it is renewed, and only for the same request', async () => {
    const store = await openStore();
    const record = { scope: 'shop:1', key: 'k-1', requestHash: 'h1', state: 'pending' as const, statusCode: null, responseBody: null, createdAt: 1_000, holder: 'crashed', heldUntil: 11_000 };
    expect(await store.claimIdempotencyKey(record)).toEqual({ claimed: true });
    // Renewed by its holder (a slow request on a live instance): still held at 15 s.
    expect(await store.holdIdempotencyKey('shop:1', 'k-1', 'crashed', 20_000)).toBe(true);
    expect(await store.holdIdempotencyKey('shop:1', 'k-1', 'stranger', 90_000)).toBe(false);
    expect((await store.claimIdempotencyKey({ ...record, holder: 'retry', createdAt: 15_000, heldUntil: 25_000 })).claimed).toBe(false);
    // No renewal after 20 s (its instance died): another request's body gets no takeover; the same request does.
    const other = await store.claimIdempotencyKey({ ...record, requestHash: 'h2', holder: 'retry', createdAt: 20_001, heldUntil: 30_001 });
    expect(other).toEqual({ claimed: false, existing: { ...record, heldUntil: 20_000 } });
    expect(await store.claimIdempotencyKey({ ...record, holder: 'retry', createdAt: 20_001, heldUntil: 30_001 })).toEqual({ claimed: true });
    // The old holder, if it was only stalled, has lost the claim: it cannot renew, complete or release it.
    expect(await store.holdIdempotencyKey('shop:1', 'k-1', 'crashed', 40_000)).toBe(false);
    await store.completeIdempotencyKey('shop:1', 'k-1', 'crashed', 201, '{"from":"crashed"}');
    await store.releaseIdempotencyKey('shop:1', 'k-1', 'crashed');
    await store.completeIdempotencyKey('shop:1', 'k-1', 'retry', 201, '{"from":"retry"}');
    const after = await store.claimIdempotencyKey({ ...record, holder: 'late', createdAt: 50_000, heldUntil: 60_000 });
    expect(after).toMatchObject({ claimed: false, existing: { state: 'done', holder: 'retry', responseBody: '{"from":"retry"}' } });
  });

  it('gives a lapsed claim to one of several retries taking it over at once', async () => {
    const instances = (await openInstances(2)) as [Store, Store];
    const record = { scope: 'shop:1', key: 'k-race', requestHash: 'h1', state: 'pending' as const, statusCode: null, responseBody: null, createdAt: 1_000, holder: 'crashed', heldUntil: 11_000 };
    expect(await instances[0].claimIdempotencyKey(record)).toEqual({ claimed: true });
    const claims = await Promise.all([0, 1, 0, 1, 0, 1].map((i, n) =>
      instances[i].claimIdempotencyKey({ ...record, holder: `retry-${n}`, createdAt: 12_000, heldUntil: 22_000 })));
    expect(claims.filter((claim) => claim.claimed)).toHaveLength(1);
  });

  it('records a WeChat Pay notification id once', async () => {
    const store = await openStore();
    const seen = await store.transaction(async (tx) => [await tx.recordNotification('n-1', 'TRANSACTION.SUCCESS', 1), await tx.recordNotification('n-1', 'TRANSACTION.SUCCESS', 2)]);
    expect(seen).toEqual([true, false]);
    expect(await store.transaction((tx) => tx.recordNotification('n-1', 'TRANSACTION.SUCCESS', 3))).toBe(false);
  });
  it("lists a shop's orders newest first, page by page from a cursor, by status, never another shop's", async () => {
    const store = await openStore();
    const now = Date.now();
    await store.insertShop(shopRecord('shop_1', now));
    await store.insertShop(shopRecord('shop_2', now));
    // Two orders share a creation time: the id breaks the tie, so no page repeats or skips one.
    const times = [now - 5000, now - 4000, now - 3000, now - 3000, now - 1000];
    for (const [i, createdAt] of times.entries()) {
      await store.upsertOrder(orderRecord(`ord_${i}`, 'shop_1', now, { createdAt, status: i === 1 ? 'paid' : 'pending' }));
    }
    await store.upsertOrder(orderRecord('ord_other', 'shop_2', now, { createdAt: now }));
    const first = await store.listOrdersOfShop('shop_1', { limit: 2 });
    expect(first.map((order) => order.id)).toEqual(['ord_4', 'ord_3']);
    const last = first[1];
    const second = await store.listOrdersOfShop('shop_1', { limit: 2, before: { createdAt: last.createdAt, id: last.id } });
    expect(second.map((order) => order.id)).toEqual(['ord_2', 'ord_1']);
    const third = await store.listOrdersOfShop('shop_1', { limit: 2, before: { createdAt: second[1].createdAt, id: second[1].id } });
    expect(third.map((order) => order.id)).toEqual(['ord_0']);
    expect((await store.listOrdersOfShop('shop_1', { limit: 10, status: 'paid' })).map((order) => order.id)).toEqual(['ord_1']);
    expect(await store.listOrdersOfShop('shop_2', { limit: 10, status: 'paid' })).toEqual([]);
  });

  it('takes an event out of the outbox unsent, keeping its reason and no attempt', async () => {
    const store = await openStore();
    const now = Date.now();
    await store.insertShop(shopRecord('shop_1', now));
    await store.transaction((tx) => tx.insertEvent(eventRecord('evt_1', 'shop_1', now)));
    await store.markEventSkipped('evt_1', now + 5, 'no webhook configured');
    expect(await store.listEvents('shop_1', 10)).toEqual([{ ...storedEvent(eventRecord('evt_1', 'shop_1', now)), deliveredAt: now + 5, lastError: 'no webhook configured' }]);
    expect(await store.claimDueEvents(now + 10, 10, now + 20)).toEqual([]);
    expect(await store.oldestUndeliveredEventAt()).toBeUndefined();
  });

  it("points a shop's webhooks at another URL, or nowhere", async () => {
    const store = await openStore();
    const now = Date.now();
    await store.insertShop(shopRecord('shop_1', now, { webhookUrl: 'http://127.0.0.1:3000/hooks' }));
    await store.setShopWebhookUrl('shop_1', 'http://127.0.0.1:3001/hooks');
    expect((await store.getShop('shop_1'))?.webhookUrl).toBe('http://127.0.0.1:3001/hooks');
    await store.setShopWebhookUrl('shop_1', null);
    expect((await store.getShop('shop_1'))?.webhookUrl).toBeNull();
  });

  it('keeps the name a friend gave with their payment', async () => {
    const store = await openStore();
    const now = Date.now();
    const link = await seedLink(store, now);
    await store.transaction((tx) => tx.insertPayment(paymentRecord('pay_1', link, 'o_a', now, { payerName: '李雷 🎉' })));
    expect((await store.getPayment('pay_1'))?.payerName).toBe('李雷 🎉');
    expect((await store.getFriendLinkView('lnk_1'))?.payments[0]?.payerName).toBe('李雷 🎉');
  });

  it('sets, finds and clears a shop\'s WeChat Pay sub-merchant', async () => {
    const store = await openStore();
    await store.insertShop(shopRecord('shop_a', 1));
    await store.insertShop(shopRecord('shop_b', 2));
    await store.insertShop(shopRecord('shop_c', 3));

    const set = await store.updateShopMerchant('shop_a', '1900000109', 'wx8888888888888888');
    await store.updateShopMerchant('shop_c', '1900000109', null);
    await store.updateShopMerchant('shop_b', '1900000110', null);
    const cleared = await store.updateShopMerchant('shop_b', null, null);

    expect(set).toEqual({ ...shopRecord('shop_a', 1), subMchId: '1900000109', subAppId: 'wx8888888888888888' });
    expect(cleared).toEqual(shopRecord('shop_b', 2));
    expect((await store.listShopsBySubMchId('1900000109')).map((shop) => shop.id)).toEqual(['shop_a', 'shop_c']);
    expect(await store.listShopsBySubMchId('1900000110')).toEqual([]);
    expect(await store.updateShopMerchant('shop_none', '1900000111', null)).toBeUndefined();
  });

  it('finds payments and refunds by their WeChat numbers, and lists them by paid and created time', async () => {
    const store = await openStore();
    const now = 1_700_000_000_000;
    const link = await seedLink(store, now);
    const early = paymentRecord('pay_1', link, 'o-1', now, { status: 'paid', paidAt: now + 10, keptAmount: 100 });
    const late = paymentRecord('pay_2', link, 'o-2', now, { status: 'closed', paidAt: null });
    const edge = paymentRecord('pay_3', link, 'o-3', now, { status: 'paid', paidAt: now + 1000, keptAmount: 0 });
    await store.transaction(async (tx) => {
      for (const payment of [early, late, edge]) await tx.insertPayment(payment);
      await tx.insertRefund(refundRecord('rfd_1', early, 30, now + 5));
      await tx.insertRefund(refundRecord('rfd_2', early, 20, now + 1000));
    });

    expect(await store.findPaymentByOutTradeNo('FPpay_1')).toEqual(early);
    expect(await store.findPaymentByOutTradeNo('FPnone')).toBeUndefined();
    expect((await store.findRefundByOutRefundNo('FRrfd_2'))?.amount).toBe(20);
    expect(await store.findRefundByOutRefundNo('FRnone')).toBeUndefined();
    expect((await store.listPaymentsPaidBetween(now, now + 1000)).map((p) => p.id)).toEqual(['pay_1']);
    expect((await store.listPaymentsPaidBetween(now, now + 1001)).map((p) => p.id)).toEqual(['pay_1', 'pay_3']);
    expect((await store.listRefundsCreatedBetween(now, now + 1000)).map((r) => r.id)).toEqual(['rfd_1']);
  });

  it('keeps one reconciliation record per day and scope, the last one written', async () => {
    const store = await openStore();
    const first = { billDate: '2026-12-01', scope: 'mch:1900000109', status: 'differences' as const, differences: 3, unapplied: 2, report: { differences: [{ kind: 'only_here', out_trade_no: 'FP1' }] }, attempts: 1, startedAt: 10, finishedAt: 20 };

    await store.saveBillReconciliation(first);
    await store.saveBillReconciliation({ ...first, scope: 'sub:1900000110', status: 'matched', differences: 0, unapplied: 0, report: {} });
    await store.saveBillReconciliation({ ...first, status: 'matched', unapplied: 0, attempts: 2, finishedAt: 30 });

    expect(await store.getBillReconciliation('2026-12-01', 'mch:1900000109')).toEqual({ ...first, status: 'matched', unapplied: 0, attempts: 2, finishedAt: 30 });
    expect((await store.getBillReconciliation('2026-12-01', 'sub:1900000110'))?.status).toBe('matched');
    expect(await store.getBillReconciliation('2026-12-02', 'mch:1900000109')).toBeUndefined();
  });

  it('gives a job lease to one of two instances at once, to its holder again, and to another once it expired or was released', async () => {
    const [a, b] = await openInstances(2);
    if (a === undefined || b === undefined) throw new Error('two instances expected');

    const race = await Promise.all([a.acquireJobLease('bills', 'a', 1000, 60_000), b.acquireJobLease('bills', 'b', 1000, 60_000)]);
    const winner = race[0] ? 'a' : 'b';
    const loser = race[0] ? b : a;
    const renewed = await (race[0] ? a : b).acquireJobLease('bills', winner, 2000, 60_000);
    const whileHeld = await loser.acquireJobLease('bills', race[0] ? 'b' : 'a', 60_000, 60_000);
    const afterExpiry = await loser.acquireJobLease('bills', race[0] ? 'b' : 'a', 62_000, 60_000);
    await loser.releaseJobLease('bills', race[0] ? 'b' : 'a');
    const afterRelease = await (race[0] ? a : b).acquireJobLease('bills', winner, 62_001, 60_000);

    expect(race.filter(Boolean)).toHaveLength(1);
    expect([renewed, whileHeld, afterExpiry, afterRelease]).toEqual([true, false, true, true]);
  });
});
