import { afterEach, describe, expect, it, vi } from 'vitest';
import type { WechatPayNotification } from '../../../../server/src/wechat/notification';
import { newOutTradeNo, startReceiver, startSandbox, type Sandbox } from '../../harness';

const openid = 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o';

describe('WeChat Pay simulator notifications', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function setUp(options: { timeFactor?: number; answer?: (index: number) => number } = {}) {
    const sandbox = await startSandbox({ timeFactor: options.timeFactor ?? 0.001, refundSettleMs: 1 });
    const receiver = await startReceiver((_request, index) => options.answer?.(index) ?? 204);
    cleanups.push(() => sandbox.close(), () => receiver.close());
    return { sandbox, receiver, client: sandbox.payClient() };
  }

  async function paidOrder(sandbox: Sandbox, notifyUrl: string, amountTotal = 100) {
    const outTradeNo = newOutTradeNo();
    const { prepayId } = await sandbox.payClient().prepay({ outTradeNo, description: 'notify', amountTotal, payerOpenid: openid, notifyUrl });
    const result = sandbox.paySimulator.pay(prepayId, openid, 'success');
    return { outTradeNo, prepayId, result };
  }

  it('delivers a TRANSACTION.SUCCESS notification our parser verifies and decrypts', async () => {
    const { sandbox, receiver, client } = await setUp();

    const { outTradeNo, result } = await paidOrder(sandbox, receiver.url, 321);
    await receiver.waitFor(1);
    const parsed = await client.parseNotification(receiver.received[0]);

    expect(parsed).toMatchObject({
      kind: 'payment',
      eventId: result.notificationId,
      eventType: 'TRANSACTION.SUCCESS',
      transaction: { outTradeNo, tradeState: 'SUCCESS', amountTotal: 321, payerTotal: 321, payerOpenid: openid, transactionId: result.transactionId },
    });
  });

  it('retries on WeChat schedule when the receiver fails twice, then stops once it succeeds', async () => {
    const { sandbox, receiver, client } = await setUp({ answer: (index) => (index < 2 ? 500 : 200) });

    const { result } = await paidOrder(sandbox, receiver.url);
    await receiver.waitFor(3);
    await sandbox.paySimulator.idle();
    const parsed = await Promise.all(receiver.received.map((request) => client.parseNotification(request)));
    const attempts = sandbox.paySimulator.ledger.notifications();
    const gaps = receiver.received.slice(1).map((request, index) => request.at - (receiver.received[index]).at);

    expect(receiver.received).toHaveLength(3);
    expect(parsed.map((n: WechatPayNotification) => n.eventId)).toEqual([result.notificationId, result.notificationId, result.notificationId]);
    expect(attempts.map((a) => [a.attempt, a.outcome])).toEqual([
      [1, 500],
      [2, 500],
      [3, 200],
    ]);
    // 15 s and 15 s, times 0.001.
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(14);
    expect(new Set(receiver.received.map((r) => r.headers['wechatpay-nonce'])).size).toBe(3);
  });

  it("gives up after WeChat's fifteen retries", async () => {
    const { sandbox, receiver } = await setUp({ timeFactor: 0.00001, answer: () => 503 });

    await paidOrder(sandbox, receiver.url);
    await receiver.waitFor(16);
    await sandbox.paySimulator.idle();

    expect(receiver.received).toHaveLength(16);
  });

  it('retries when the receiver cannot be reached', async () => {
    const { sandbox } = await setUp({ timeFactor: 0.0001 });
    const gone = await startReceiver();
    await gone.close();

    await paidOrder(sandbox, gone.url);

    await vi.waitFor(() => expect(sandbox.paySimulator.ledger.notifications().filter((a) => a.outcome === 'network-error').length).toBeGreaterThanOrEqual(2));
  });

  it('sends a notification twice with the same event id under the duplicate fault', async () => {
    const { sandbox, receiver, client } = await setUp();
    sandbox.paySimulator.faults.set({ notifications: { duplicate: true } });

    await paidOrder(sandbox, receiver.url);
    await receiver.waitFor(2);
    await sandbox.paySimulator.idle();
    const ids = await Promise.all(receiver.received.map(async (request) => (await client.parseNotification(request)).eventId));

    expect(ids).toHaveLength(2);
    expect(ids[0]).toBe(ids[1]);
  });

  it('sends nothing under the drop fault, while the order is paid all the same', async () => {
    const { sandbox, receiver, client } = await setUp();
    sandbox.paySimulator.faults.set({ notifications: { drop: true } });

    const { outTradeNo } = await paidOrder(sandbox, receiver.url);
    await sandbox.paySimulator.idle();
    const transaction = await client.queryByOutTradeNo(outTradeNo);

    expect(receiver.received).toHaveLength(0);
    expect(sandbox.paySimulator.ledger.notifications().map((a) => a.outcome)).toEqual(['dropped']);
    expect(transaction.tradeState).toBe('SUCCESS');
  });

  it('delays the first attempt under the delay fault', async () => {
    const { sandbox, receiver } = await setUp();
    sandbox.paySimulator.faults.set({ notifications: { delayMs: 150 } });

    const started = Date.now();
    await paidOrder(sandbox, receiver.url);
    await receiver.waitFor(1);

    expect((receiver.received[0]).at - started).toBeGreaterThanOrEqual(140);
  });

  it('delivers newest first under the reorder fault', async () => {
    const { sandbox, receiver, client } = await setUp();
    sandbox.paySimulator.faults.set({ notifications: { reorder: true, reorderWindowMs: 100 } });

    const first = await paidOrder(sandbox, receiver.url);
    const second = await paidOrder(sandbox, receiver.url);
    await receiver.waitFor(2);
    const order = await Promise.all(receiver.received.map(async (request) => {
      const parsed = await client.parseNotification(request);
      return parsed.kind === 'payment' ? parsed.transaction.outTradeNo : parsed.refund.outRefundNo;
    }));

    expect(order).toEqual([second.outTradeNo, first.outTradeNo]);
  });

  it('sends REFUND.SUCCESS to the refund notify_url', async () => {
    const { sandbox, receiver, client } = await setUp();
    const refundReceiver = await startReceiver();
    cleanups.push(refundReceiver.close);
    const { outTradeNo } = await paidOrder(sandbox, receiver.url, 500);

    await client.refund({ outTradeNo, outRefundNo: `${outTradeNo}-R1`, amountRefund: 120, amountTotal: 500, notifyUrl: refundReceiver.url });
    await refundReceiver.waitFor(1);
    const parsed = await client.parseNotification(refundReceiver.received[0]);

    expect(parsed).toMatchObject({ kind: 'refund', eventType: 'REFUND.SUCCESS', refund: { outTradeNo, outRefundNo: `${outTradeNo}-R1`, status: 'SUCCESS', amountRefund: 120, amountTotal: 500 } });
  });

  it('sends REFUND.SUCCESS to the order notify_url when the refund names none', async () => {
    const { sandbox, receiver, client } = await setUp();
    const { outTradeNo } = await paidOrder(sandbox, receiver.url, 500);
    await receiver.waitFor(1);

    await client.refund({ outTradeNo, outRefundNo: `${outTradeNo}-R2`, amountRefund: 500, amountTotal: 500 });
    await receiver.waitFor(2);
    const parsed = await client.parseNotification(receiver.received[1]);

    expect(parsed).toMatchObject({ kind: 'refund', refund: { amountRefund: 500 } });
  });
});
