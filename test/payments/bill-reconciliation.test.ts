// Daily reconciliation with WeChat Pay's trade bill, against the simulator's bills, on both
// engines: a clean day reports nothing; a day with every kind of difference planted reports each
// exactly, settles the one that is safe, and changes nothing more when run again.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CreatePaymentResponse, OrderResponse } from '../../shared/api-types';
import { dailyBillReconciliationOnce } from '../../server/src/background/daily-bill-reconciliation';
import { reconcileBill } from '../../server/src/payments/bill-reconciliation';
import { billReportJson } from '../../server/src/payments/bill-report';
import { WechatPayError } from '../../server/src/wechat/errors';
import { chinaDayOf, chinaDayRange } from '../../server/src/wechat/time';
import { startReceiver } from '../sandbox/harness';
import { eventually, loginFriend, payInSheet, shopWithLink, startPayment } from '../support/friends';
import { engines, startTestServer, type TestServer } from '../support/test-server';

const HOUR = 3600_000;

describe.each(engines)('reconciling a day with WeChat Pay\'s trade bill (%s)', (engine) => {
  let server: TestServer;
  let day: string;
  let friends = 0;
  beforeEach(async () => {
    server = await startTestServer({}, {}, { engine });
    // Noon in China on the next day: everything the test does falls on that one day.
    const clock = server.sandboxClock!;
    const next = chinaDayRange(chinaDayOf(clock.now() + 24 * HOUR))!;
    clock.advance((next.from + 12 * HOUR - clock.now()) / 1000);
    day = chinaDayOf(clock.now());
  });
  afterEach(async () => server.stop());

  /** Moves the sandbox clock to `hhmm` China time of the day after the bill's day. */
  function nextDayAt(hhmm: string): void {
    const clock = server.sandboxClock!;
    const target = Date.parse(`${chinaDayOf(chinaDayRange(day)!.to)}T${hhmm}:00+08:00`);
    if (target > clock.now()) clock.advance((target - clock.now()) / 1000);
  }

  /** A friend pays a single-mode order of `amount` in the sandbox pay sheet. */
  async function pays(amount: number): Promise<{ orderId: string; shopKey: string; shopId: string; created: CreatePaymentResponse; outTradeNo: string }> {
    const { shop, orderId, link } = await shopWithLink(server, { amount });
    friends += 1;
    const friend = await loginFriend(server, `o_friend_${friends}`);
    const created = (await startPayment(server, friend, link.code)).json;
    expect((await payInSheet(server, friend, created)).status).toBe(200);
    return { orderId, shopKey: shop.api_key, shopId: shop.id, created, outTradeNo: created.payment.id.replace(/^pay_/, 'FP') };
  }

  const orderOf = async (key: string, orderId: string) => (await server.call<OrderResponse>('GET', `/v1/orders/${orderId}`, { key })).json;

  it('reports nothing for a clean day: every payment and refund at WeChat is ours and the same', async () => {
    await pays(1234);
    const second = await pays(500);
    await server.sandbox!.paySimulator!.idle();
    await eventually(async () => (await orderOf(second.shopKey, second.orderId)).status === 'paid', 5000, 'both to be paid');
    // A refund of ours (an excess WeChat took anyway), accepted the same day.
    const group = await shopWithLink(server, { amount: 1000, mode: 'group' });
    const friend = await loginFriend(server, 'o_group');
    const contribution = (await startPayment(server, friend, group.link.code, { amount: 300 })).json;
    await payInSheet(server, friend, contribution);
    await eventually(async () => (await orderOf(group.shop.api_key, group.orderId)).amount_paid === 300, 5000, 'the contribution');
    expect((await server.call('POST', `/v1/orders/${group.orderId}/cancel`, { key: group.shop.api_key })).status).toBe(200);
    await server.sandbox!.paySimulator!.idle();
    nextDayAt('10:05');

    const report = await reconcileBill(server.deps, { billDate: day });

    expect(report.differences).toEqual([]);
    expect(report).toMatchObject({ wechatPayments: 3, wechatRefunds: 1, herePayments: 3, hereRefunds: 1, matched: 4, applied: 0, unapplied: 0 });
    expect(billReportJson(report)).toMatchObject({ bill_date: day, ok: true, differences: [] });
    expect(await server.deps.store.getBillReconciliation(day, report.scope)).toMatchObject({ status: 'matched', differences: 0, attempts: 1 });
  });

  it('reports each planted difference exactly, settles the missed payment as its notification would, and changes nothing more when run again', async () => {
    const simulator = server.sandbox!.paySimulator!;
    await pays(800);
    // A notification WeChat never delivered.
    simulator.faults.set({ notifications: { drop: true } });
    const missed = await pays(1500);
    simulator.faults.reset();
    // A refund made at WeChat, not by us (say, on the merchant platform).
    const refundedThere = await pays(600);
    await eventually(async () => (await orderOf(refundedThere.shopKey, refundedThere.orderId)).status === 'paid', 5000, 'the payment to be applied');
    // Its notification goes where the merchant platform sends it, not to us.
    const elsewhere = await startReceiver();
    await server.deps.wechat.pay.refund({ outTradeNo: refundedThere.outTradeNo, outRefundNo: 'MANUAL-REFUND-1', amountRefund: 100, amountTotal: 600, notifyUrl: elsewhere.url });
    // Our record of a payment says another amount than WeChat took.
    const mismatched = await pays(700);
    await eventually(async () => (await orderOf(mismatched.shopKey, mismatched.orderId)).status === 'paid', 5000, 'the payment to be applied');
    await server.deps.store.transaction((tx) => tx.updatePayment(mismatched.created.payment.id, { amount: 705 }, ['paid']));
    await simulator.idle();
    await elsewhere.close();
    expect((await server.deps.store.getPayment(missed.created.payment.id))?.status).toBe('created');
    nextDayAt('11:00');

    const report = await reconcileBill(server.deps, { billDate: day });
    const eventsAfterFirst = await server.deps.store.listEvents(missed.shopId, 20);
    const again = await reconcileBill(server.deps, { billDate: day });

    const summary = (r: typeof report) => r.differences.map((d) => [d.kind, d.subject, d.outRefundNo ?? d.outTradeNo, d.applied]).sort();
    expect(summary(report)).toEqual([
      ['amount_differs', 'payment', mismatched.outTradeNo, false],
      ['only_at_wechat', 'refund', 'MANUAL-REFUND-1', false],
      ['state_differs', 'payment', missed.outTradeNo, true],
    ].sort());
    expect(report).toMatchObject({ wechatPayments: 4, wechatRefunds: 1, matched: 2, applied: 1, unapplied: 2 });
    expect(report.differences.find((d) => d.kind === 'amount_differs')).toMatchObject({ wechat: { amount: 700 }, here: { amount: 705 } });
    expect(report.differences.find((d) => d.kind === 'only_at_wechat')).toMatchObject({ outTradeNo: refundedThere.outTradeNo, wechat: { amount: 100 }, here: undefined });
    // Settled exactly as the late notification would have: paid, the order paid, link.paid once.
    expect(await orderOf(missed.shopKey, missed.orderId)).toMatchObject({ status: 'paid', amount_paid: 1500 });
    expect((await server.deps.store.getPayment(missed.created.payment.id))?.status).toBe('paid');
    expect(eventsAfterFirst.filter((event) => event.type === 'link.paid')).toHaveLength(1);
    // Again: what was settled matches now, the rest is reported again, and nothing changed.
    expect(summary(again)).toEqual(summary(report).filter(([kind]) => kind !== 'state_differs'));
    expect(again).toMatchObject({ matched: 3, applied: 0, unapplied: 2 });
    expect(await server.deps.store.listEvents(missed.shopId, 20)).toEqual(eventsAfterFirst);
    expect(await orderOf(missed.shopKey, missed.orderId)).toMatchObject({ status: 'paid', amount_paid: 1500 });
    expect(await server.deps.store.getBillReconciliation(day, report.scope)).toMatchObject({ status: 'differences', differences: 2, unapplied: 2, attempts: 2 });
  });

  it('finds a payment of ours missing from WeChat\'s bill', async () => {
    const paid = await pays(900);
    await eventually(async () => (await orderOf(paid.shopKey, paid.orderId)).status === 'paid', 5000, 'the payment to be applied');
    // Our ledger says a second payment succeeded that day, which WeChat never saw.
    const ghost = await shopWithLink(server, { amount: 300 });
    const friend = await loginFriend(server, 'o_ghost');
    const created = (await startPayment(server, friend, ghost.link.code)).json;
    await server.deps.store.transaction((tx) => tx.updatePayment(created.payment.id, { status: 'paid', paidAt: server.deps.clock.now(), keptAmount: 300, transactionId: '4200000000000000000000000777' }, ['created']));
    nextDayAt('10:30');

    const report = await reconcileBill(server.deps, { billDate: day });

    expect(report.differences.map((d) => [d.kind, d.outTradeNo, d.applied])).toEqual([['only_here', created.payment.id.replace(/^pay_/, 'FP'), false]]);
  });

  it('gets no bill before 10:00 China time of the next day, and refuses one that does not match its hash', async () => {
    await pays(100);
    nextDayAt('09:59');
    const early = await reconcileBill(server.deps, { billDate: day }).catch((error: unknown) => error);
    nextDayAt('10:00');
    server.sandbox!.paySimulator!.faults.set({ bills: { hashMismatch: true } });
    const tampered = await reconcileBill(server.deps, { billDate: day }).catch((error: unknown) => error);

    expect(early).toBeInstanceOf(WechatPayError);
    expect((early as WechatPayError).code).toBe('NO_STATEMENT_EXIST');
    expect((tampered as WechatPayError).code).toBe('BILL_HASH_MISMATCH');
  });

  it('runs as a daily job once yesterday\'s bill exists: after 10:00 China time, once, by one of two instances', async () => {
    server.sandbox!.paySimulator!.faults.set({ notifications: { drop: true } });
    await pays(450);
    server.sandbox!.paySimulator!.faults.reset();
    nextDayAt('09:30');
    const beforeTen = await dailyBillReconciliationOnce(server.deps, { holder: 'instance-a' });
    nextDayAt('10:01');
    const [a, b] = await Promise.all([dailyBillReconciliationOnce(server.deps, { holder: 'instance-a' }), dailyBillReconciliationOnce(server.deps, { holder: 'instance-b' })]);
    const later = await dailyBillReconciliationOnce(server.deps, { holder: 'instance-b' });
    const downloads = server.sandbox!.paySimulator!.ledger.calls().filter((call) => call.endpoint === 'bill_download');

    expect(beforeTen).toBe('not_due');
    expect([a, b].sort()).toEqual(['busy', 'ran']);
    expect(later).toBe('done');
    expect(downloads).toHaveLength(1);
    expect((await server.deps.store.getBillReconciliation(day, `mch:${server.deps.wechat.pay.mchId}`))?.status).toBe('matched');
  });
});
