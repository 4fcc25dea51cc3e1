// The Pay client's merchant-grade parts against the simulator over HTTP: platform certificates
// (alone and beside the public key, across a rotation), partner mode, and trade bills.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WechatPayError } from '../../server/src/wechat/errors';
import type { WechatPayClient } from '../../server/src/wechat/pay-client';
import { chinaDayOf, chinaDayRange } from '../../server/src/wechat/time';
import { newOutTradeNo, startReceiver, startSandbox, type Sandbox } from '../sandbox/harness';

const openid = 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o';
const SUB_A = '1900000101';
const SUB_B = '1900000102';

async function rejection(promise: Promise<unknown>): Promise<WechatPayError> {
  try {
    await promise;
  } catch (error: unknown) {
    if (error instanceof WechatPayError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('platform certificates', () => {
  let sandbox: Sandbox;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  beforeAll(async () => {
    sandbox = await startSandbox();
    receiver = await startReceiver();
  });
  afterEach(() => sandbox.paySimulator.faults.reset());
  afterAll(async () => {
    await sandbox.close();
    await receiver.close();
  });

  const order = () => ({ outTradeNo: newOutTradeNo('C'), description: '证书测试', amountTotal: 100, payerOpenid: openid, notifyUrl: receiver.url });
  const withoutPublicKey = (): WechatPayClient => sandbox.payClient({ platformPublicKey: undefined, platformPublicKeyId: undefined });
  const downloads = (): number => sandbox.paySimulator.ledger.calls().filter((call) => call.endpoint === 'certificates').length;

  it('verifies with certificates alone: a client without the public key downloads them with its APIv3 key', async () => {
    sandbox.paySimulator.faults.set({ signWith: 'certificate' });
    const client = withoutPublicKey();
    const before = downloads();

    const { prepayId } = await client.prepay(order());
    await client.prepay(order());

    expect(prepayId).toMatch(/^wx/);
    expect(downloads() - before).toBe(1);
    expect(client.verification()).toMatchObject({ publicKeyId: undefined, usesCertificates: true, certificates: sandbox.paySimulator.certificates.listed().map((c) => ({ serial: c.serial, notBefore: c.notBefore, notAfter: c.notAfter })) });
  });

  it('refuses what the public key signed when only certificates are configured', async () => {
    const client = withoutPublicKey();
    sandbox.paySimulator.faults.set({ signWith: 'certificate' });
    await client.refreshCertificates();
    sandbox.paySimulator.faults.set({ signWith: 'public_key' });

    const error = await rejection(client.prepay(order()));

    expect(error.code).toBe('SERIAL_UNKNOWN');
  });

  it('verifies either key for a merchant in the switch, and follows a rotation, downloading at most once a minute', async () => {
    const client = sandbox.payClient();
    sandbox.paySimulator.faults.set({ signWith: 'certificate' });
    await client.prepay(order());
    sandbox.paySimulator.faults.set({ signWith: 'random' });
    for (let i = 0; i < 8; i += 1) await client.prepay(order());
    const old = client.verification().certificates.map((c) => c.serial);

    const issued = sandbox.paySimulator.certificates.rotate();
    sandbox.paySimulator.faults.set({ signWith: 'certificate' });
    const tooSoon = await rejection(client.prepay(order()));
    sandbox.clock.advance(61);
    const afterAMinute = await client.prepay(order());

    expect(old).toHaveLength(1);
    expect(tooSoon.code).toBe('SERIAL_UNKNOWN');
    expect(afterAMinute.prepayId).toMatch(/^wx/);
    expect(client.verification().certificates.map((c) => c.serial).sort()).toEqual([...old, issued.serial].sort());
  });

  it('cannot verify certificates it cannot decrypt: another APIv3 key learns nothing', async () => {
    sandbox.paySimulator.faults.set({ signWith: 'certificate' });
    const client = sandbox.payClient({ platformPublicKey: undefined, platformPublicKeyId: undefined, apiV3Key: 'x'.repeat(32) });

    const error = await rejection(client.prepay(order()));

    expect(error.code).toBe('SERIAL_UNKNOWN');
    expect(client.verification().certificates).toEqual([]);
    expect(client.verification().lastRefreshError).toBeDefined();
  });
});

describe('partner mode (服务商)', () => {
  let sandbox: Sandbox;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let partner: WechatPayClient;
  beforeAll(async () => {
    sandbox = await startSandbox({ refundSettleMs: 1 });
    receiver = await startReceiver();
    partner = sandbox.payClient({ mode: 'partner' });
  });
  afterAll(async () => {
    await sandbox.close();
    await receiver.close();
  });

  const order = (outTradeNo = newOutTradeNo('P')) => ({ outTradeNo, description: '服务商测试', amountTotal: 500, payerOpenid: openid, notifyUrl: receiver.url });

  it('places, queries, pays and refunds a sub-merchant\'s order, each call naming its sub_mchid', async () => {
    const input = order();
    const { prepayId } = await partner.prepay(input, { subMchId: SUB_A });
    const before = receiver.received.length;
    sandbox.paySimulator.pay(prepayId, openid, 'success');
    await receiver.waitFor(before + 1);
    const notified = await partner.parseNotification(receiver.received[before]);
    const paid = await partner.queryByOutTradeNo(input.outTradeNo, { subMchId: SUB_A });
    const refund = await partner.refund({ outTradeNo: input.outTradeNo, outRefundNo: `${input.outTradeNo}R`, amountRefund: 200, amountTotal: 500 }, { subMchId: SUB_A });
    const queried = await partner.queryRefund(`${input.outTradeNo}R`, { subMchId: SUB_A });

    expect(paid).toMatchObject({ tradeState: 'SUCCESS', appId: sandbox.keys.appId, mchId: sandbox.keys.mchId, subMchId: SUB_A, subAppId: undefined, payerOpenid: openid, amountTotal: 500 });
    expect(notified).toMatchObject({ kind: 'payment', transaction: { outTradeNo: input.outTradeNo, subMchId: SUB_A, mchId: sandbox.keys.mchId, payerOpenid: openid } });
    expect(refund).toMatchObject({ status: 'PROCESSING', amountRefund: 200 });
    expect(queried.outRefundNo).toBe(`${input.outTradeNo}R`);
    expect(sandbox.paySimulator.ledger.transaction(input.outTradeNo)).toMatchObject({ subMchId: SUB_A });
    expect(sandbox.paySimulator.ledger.refunds().find((r) => r.outRefundNo === `${input.outTradeNo}R`)).toMatchObject({ subMchId: SUB_A });
    const calls = sandbox.paySimulator.ledger.calls().map((call) => call.endpoint);
    expect(calls).toEqual(expect.arrayContaining(['partner_prepay', 'partner_query', 'refund', 'query_refund']));
  });

  it('finds nothing under another sub-merchant, nor as a direct merchant', async () => {
    const input = order();
    const { prepayId } = await partner.prepay(input, { subMchId: SUB_A });
    sandbox.paySimulator.pay(prepayId, openid, 'success');
    const direct = sandbox.payClient();

    const codes = await Promise.all([
      rejection(partner.queryByOutTradeNo(input.outTradeNo, { subMchId: SUB_B })),
      rejection(partner.close(input.outTradeNo, { subMchId: SUB_B })),
      rejection(partner.refund({ outTradeNo: input.outTradeNo, outRefundNo: `${input.outTradeNo}X`, amountRefund: 1, amountTotal: 500 }, { subMchId: SUB_B })),
      rejection(direct.queryByOutTradeNo(input.outTradeNo)),
      rejection(direct.prepay(input)),
    ]);

    expect(codes.map((error) => error.code)).toEqual(['ORDER_NOT_EXIST', 'ORDER_NOT_EXIST', 'RESOURCE_NOT_EXISTS', 'ORDER_NOT_EXIST', 'OUT_TRADE_NO_USED']);
  });

  it('closes a sub-merchant\'s unpaid order', async () => {
    const input = order();
    await partner.prepay(input, { subMchId: SUB_B });
    await partner.close(input.outTradeNo, { subMchId: SUB_B });
    expect((await partner.queryByOutTradeNo(input.outTradeNo, { subMchId: SUB_B })).tradeState).toBe('CLOSED');
  });

  it('names the payer by sub_openid when the order names the sub-merchant\'s own app', async () => {
    const input = order();
    const sub = { subMchId: SUB_B, subAppId: 'wx1234567890abcdef' };
    await partner.prepay(input, sub);
    const { prepayId } = await partner.prepay(input, sub);
    sandbox.paySimulator.pay(prepayId, openid, 'success');

    const paid = await partner.queryByOutTradeNo(input.outTradeNo, sub);
    const again = await rejection(partner.prepay(input, { subMchId: SUB_B }));

    expect(paid).toMatchObject({ subMchId: SUB_B, subAppId: 'wx1234567890abcdef', payerOpenid: openid });
    expect(again.code).toBe('OUT_TRADE_NO_USED');
  });

  it('refuses to make an order call without its sub-merchant, or a direct one with one', () => {
    expect(() => partner.close('ANY-ORDER')).toThrow(/partner mode/);
    expect(() => sandbox.payClient().close('ANY-ORDER', { subMchId: SUB_A })).toThrow(/direct mode/);
  });
});

describe('trade bills', () => {
  let sandbox: Sandbox;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let client: WechatPayClient;
  let partner: WechatPayClient;
  let day: string;
  const placed: { outTradeNo: string; amount: number; sub: string | undefined }[] = [];

  beforeAll(async () => {
    sandbox = await startSandbox({ refundSettleMs: 1 });
    receiver = await startReceiver();
    client = sandbox.payClient();
    partner = sandbox.payClient({ mode: 'partner' });
    // Noon in China, so every payment falls on one day whatever the hour the test runs.
    const now = sandbox.clock.now();
    const tomorrow = chinaDayRange(chinaDayOf(now + 24 * 3600_000))!;
    sandbox.clock.advance((tomorrow.from + 12 * 3600_000 - now) / 1000);
    day = chinaDayOf(sandbox.clock.now());
    for (const [amount, sub] of [[1234, undefined], [500, SUB_A], [77, SUB_B]] as const) {
      const input = { outTradeNo: newOutTradeNo('B'), description: '账单, 测试', amountTotal: amount, payerOpenid: openid, notifyUrl: receiver.url };
      const subMerchant = sub === undefined ? undefined : { subMchId: sub };
      const { prepayId } = sub === undefined ? await client.prepay(input) : await partner.prepay(input, subMerchant);
      sandbox.paySimulator.pay(prepayId, openid, 'success');
      placed.push({ outTradeNo: input.outTradeNo, amount, sub });
    }
    await client.refund({ outTradeNo: placed[0].outTradeNo, outRefundNo: 'BILL-REFUND-1', amountRefund: 234, amountTotal: 1234 });
    // Placed but never paid: no row.
    await client.prepay({ outTradeNo: newOutTradeNo('N'), description: 'unpaid', amountTotal: 9, payerOpenid: openid, notifyUrl: receiver.url });
  });
  afterEach(() => sandbox.paySimulator.faults.reset());
  afterAll(async () => {
    await sandbox.close();
    await receiver.close();
  });

  const toChinaTime = (hhmm: string): void => {
    const target = Date.parse(`${chinaDayOf(chinaDayRange(day)!.to)}T${hhmm}:00+08:00`);
    if (target > sandbox.clock.now()) sandbox.clock.advance((target - sandbox.clock.now()) / 1000);
  };

  it('has no bill of a day before 10:00 China time of the next day', async () => {
    toChinaTime('09:59');
    const error = await rejection(client.tradeBill({ billDate: day }));
    expect(error.code).toBe('NO_STATEMENT_EXIST');
    expect(error.status).toBe(400);
  });

  it('serves the day\'s bill after 10:00: every payment and refund, hash-checked, in WeChat\'s CSV', async () => {
    toChinaTime('10:00');
    const { bill, sha1 } = await client.tradeBill({ billDate: day });

    expect(sha1).toMatch(/^[0-9a-f]{40}$/);
    expect(bill.rows.map((row) => [row.tradeState, row.outTradeNo, row.orderAmount, row.refundAmount, row.subMchId])).toEqual([
      ['SUCCESS', placed[0].outTradeNo, 1234, 0, undefined],
      ['SUCCESS', placed[1].outTradeNo, 500, 0, SUB_A],
      ['SUCCESS', placed[2].outTradeNo, 77, 0, SUB_B],
      ['REFUND', placed[0].outTradeNo, 0, 234, undefined],
    ]);
    expect(bill.rows[3]?.outRefundNo).toBe('BILL-REFUND-1');
    expect(['PROCESSING', 'SUCCESS']).toContain(bill.rows[3]?.refundStatus);
    expect(bill.summary).toMatchObject({ count: 4, orderTotal: 1811, refundTotal: 234 });
  });

  it('serves one sub-merchant\'s bill in partner form', async () => {
    toChinaTime('10:00');
    const { bill } = await partner.tradeBill({ billDate: day, subMchId: SUB_A });
    expect(bill.rows.map((row) => [row.outTradeNo, row.subMchId])).toEqual([[placed[1].outTradeNo, SUB_A]]);
  });

  it('refuses a file that does not hash to the SHA1 of the bill answer', async () => {
    toChinaTime('10:00');
    sandbox.paySimulator.faults.set({ bills: { hashMismatch: true } });
    const error = await rejection(client.tradeBill({ billDate: day }));
    expect(error.code).toBe('BILL_HASH_MISMATCH');
  });

  it('answers NO_STATEMENT_EXIST under the not-ready fault', async () => {
    toChinaTime('10:00');
    sandbox.paySimulator.faults.set({ bills: { notReady: true } });
    expect((await rejection(client.tradeBill({ billDate: day }))).code).toBe('NO_STATEMENT_EXIST');
  });
});
