import crypto from 'node:crypto';
import express from 'express';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WechatPayError } from '../../server/src/wechat/errors';
import { createWechatPayClient, type WechatPayClient } from '../../server/src/wechat/pay-client';
import { createRsaSigner } from '../../server/src/wechat/signer';
import { listen, newOutTradeNo, payClientOptions, sandboxKeys, startReceiver, startSandbox, type Sandbox } from '../sandbox/harness';

const openid = 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o';
let notifyUrl = 'http://127.0.0.1:9/v1/wechatpay/notify';

async function rejection(promise: Promise<unknown>): Promise<WechatPayError> {
  try {
    await promise;
  } catch (error: unknown) {
    if (error instanceof WechatPayError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

function order(outTradeNo = newOutTradeNo(), amountTotal = 1000) {
  return { outTradeNo, description: 'Friend Pay 测试订单', amountTotal, payerOpenid: openid, notifyUrl };
}

describe('WeChat Pay client against the simulator over HTTP', () => {
  let sandbox: Sandbox;
  let client: WechatPayClient;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  beforeAll(async () => {
    sandbox = await startSandbox({ refundSettleMs: 1 });
    client = sandbox.payClient();
    receiver = await startReceiver();
    notifyUrl = receiver.url;
  });
  afterEach(() => {
    sandbox.paySimulator.faults.reset();
  });
  afterAll(async () => {
    await sandbox.close();
    await receiver.close();
  });

  it('places, pays, queries, refunds in part and queries the refund of an order', async () => {
    const input = order();

    const { prepayId } = await client.prepay(input);
    const unpaid = await client.queryByOutTradeNo(input.outTradeNo);
    sandbox.paySimulator.pay(prepayId, openid, 'success');
    const paid = await client.queryByOutTradeNo(input.outTradeNo);
    const refund = await client.refund({ outTradeNo: input.outTradeNo, outRefundNo: `${input.outTradeNo}R1`, amountRefund: 300, amountTotal: 1000, reason: '朋友取消' });
    await sandbox.paySimulator.idle();
    const settled = await client.queryRefund(`${input.outTradeNo}R1`);

    expect(prepayId).toMatch(/^wx\d{14}[0-9a-f]{20}$/);
    expect(unpaid).toMatchObject({ outTradeNo: input.outTradeNo, tradeState: 'NOTPAY', transactionId: undefined, amountTotal: 1000 });
    expect(paid).toMatchObject({ tradeState: 'SUCCESS', amountTotal: 1000, payerTotal: 1000, payerOpenid: openid, appId: sandbox.keys.appId, mchId: sandbox.keys.mchId });
    expect(paid.transactionId).toMatch(/^4200\d{24}$/);
    expect(refund).toMatchObject({ status: 'PROCESSING', amountRefund: 300, amountTotal: 1000, outTradeNo: input.outTradeNo, transactionId: paid.transactionId });
    expect(settled).toMatchObject({ status: 'SUCCESS', refundId: refund.refundId });
  });

  it('closes an unpaid order, after which it is CLOSED and cannot be placed again', async () => {
    const input = order();
    await client.prepay(input);

    await client.close(input.outTradeNo);
    await client.close(input.outTradeNo);
    const closed = await client.queryByOutTradeNo(input.outTradeNo);
    const again = await rejection(client.prepay(input));

    expect(closed.tradeState).toBe('CLOSED');
    expect(again).toMatchObject({ code: 'ORDER_CLOSED', status: 400 });
  });

  it('gets ORDERPAID when closing a paid order', async () => {
    const input = order();
    const { prepayId } = await client.prepay(input);
    sandbox.paySimulator.pay(prepayId, openid, 'success');

    const error = await rejection(client.close(input.outTradeNo));

    expect(error).toMatchObject({ code: 'ORDERPAID', status: 400 });
  });

  it('gets a fresh prepay_id for the same parameters and OUT_TRADE_NO_USED for different ones', async () => {
    const input = order();

    const first = await client.prepay(input);
    const second = await client.prepay(input);
    const changed = await rejection(client.prepay({ ...input, amountTotal: 999 }));

    expect(second.prepayId).not.toBe(first.prepayId);
    expect(changed).toMatchObject({ code: 'OUT_TRADE_NO_USED', status: 403 });
  });

  it('gets ORDER_NOT_EXIST for an order never placed', async () => {
    const error = await rejection(client.queryByOutTradeNo('NEVER-PLACED-1'));

    expect(error).toMatchObject({ code: 'ORDER_NOT_EXIST', status: 404 });
    expect(error.requestId).toMatch(/^08/);
  });

  it('never refunds more than was paid, over several partial refunds', async () => {
    const input = order(newOutTradeNo(), 500);
    const { prepayId } = await client.prepay(input);
    sandbox.paySimulator.pay(prepayId, openid, 'success');

    await client.refund({ outTradeNo: input.outTradeNo, outRefundNo: `${input.outTradeNo}A`, amountRefund: 200, amountTotal: 500 });
    await client.refund({ outTradeNo: input.outTradeNo, outRefundNo: `${input.outTradeNo}B`, amountRefund: 300, amountTotal: 500 });
    const over = await rejection(client.refund({ outTradeNo: input.outTradeNo, outRefundNo: `${input.outTradeNo}C`, amountRefund: 1, amountTotal: 500 }));

    expect(over).toMatchObject({ code: 'INVALID_REQUEST', status: 400 });
    expect(sandbox.paySimulator.ledger.transaction(input.outTradeNo)).toMatchObject({ refundedAmount: 500, tradeState: 'REFUND' });
  });

  it('returns the same refund when the same out_refund_no is sent again', async () => {
    const input = order();
    const { prepayId } = await client.prepay(input);
    sandbox.paySimulator.pay(prepayId, openid, 'success');
    const request = { outTradeNo: input.outTradeNo, outRefundNo: `${input.outTradeNo}R`, amountRefund: 100, amountTotal: 1000 };

    const first = await client.refund(request);
    const second = await client.refund(request);

    expect(second.refundId).toBe(first.refundId);
    expect(sandbox.paySimulator.ledger.transaction(input.outTradeNo)?.refundedAmount).toBe(100);
  });

  it('builds requestPayment parameters the merchant public key verifies', () => {
    const params = client.requestPaymentParams('wx20241010101010abcdef');

    const message = `${sandbox.keys.appId}\n${params.timeStamp}\n${params.nonceStr}\n${params.package}\n`;
    const valid = crypto.verify('sha256', Buffer.from(message), sandbox.keys.merchant.publicKeyPem, Buffer.from(params.paySign, 'base64'));

    expect(params.package).toBe('prepay_id=wx20241010101010abcdef');
    expect(valid).toBe(true);
  });

  it('retries a query that met a 5xx and succeeds', async () => {
    const input = order();
    await client.prepay(input);
    sandbox.paySimulator.faults.set({ endpoints: { query: { fail: '5xx', status: 503, times: 2 } } });

    const transaction = await client.queryByOutTradeNo(input.outTradeNo);

    expect(transaction.tradeState).toBe('NOTPAY');
    expect(sandbox.paySimulator.faults.current().endpoints.query).toBeUndefined();
  });

  it('gives up after its bounded retries with a typed SYSTEM_ERROR', async () => {
    const input = order();
    await client.prepay(input);
    sandbox.paySimulator.faults.set({ endpoints: { query: { fail: '5xx', times: 10 } } });

    const error = await rejection(client.queryByOutTradeNo(input.outTradeNo));

    expect(error).toMatchObject({ code: 'SYSTEM_ERROR', status: 500, retryable: true });
    expect(sandbox.paySimulator.faults.current().endpoints.query?.remaining).toBe(7);
  });

  it('does not retry a refund, which is not safe to repeat blindly', async () => {
    const input = order();
    const { prepayId } = await client.prepay(input);
    sandbox.paySimulator.pay(prepayId, openid, 'success');
    sandbox.paySimulator.faults.set({ endpoints: { refund: { fail: '5xx', times: 10 } } });

    const error = await rejection(client.refund({ outTradeNo: input.outTradeNo, outRefundNo: `${input.outTradeNo}X`, amountRefund: 1, amountTotal: 1000 }));

    expect(error.code).toBe('SYSTEM_ERROR');
    expect(sandbox.paySimulator.faults.current().endpoints.refund?.remaining).toBe(9);
  });

  it('times out a call that gets no answer, then retries it when safe', async () => {
    const input = order();
    await client.prepay(input);
    const quick = sandbox.payClient({ timeoutMs: 150 });
    sandbox.paySimulator.faults.set({ endpoints: { query: { fail: 'timeout', times: 1 } } });

    const transaction = await quick.queryByOutTradeNo(input.outTradeNo);

    expect(transaction.tradeState).toBe('NOTPAY');
  });

  it('reports TIMEOUT when every attempt times out', async () => {
    const quick = sandbox.payClient({ timeoutMs: 100, maxRetries: 1 });
    sandbox.paySimulator.faults.set({ endpoints: { prepay: { fail: 'timeout' } } });

    const error = await rejection(quick.prepay(order()));

    expect(error).toMatchObject({ code: 'TIMEOUT', status: 0, retryable: true });
  });

  it('absorbs a single failed close by retrying, and reports it when retries are off', async () => {
    const input = order();
    await client.prepay(input);
    const noRetry = sandbox.payClient({ maxRetries: 0 });

    sandbox.paySimulator.faults.set({ failNextClose: true });
    const failed = await rejection(noRetry.close(input.outTradeNo));
    sandbox.paySimulator.faults.set({ failNextClose: true });
    await client.close(input.outTradeNo);

    expect(failed.code).toBe('SYSTEM_ERROR');
    expect(sandbox.paySimulator.ledger.transaction(input.outTradeNo)?.tradeState).toBe('CLOSED');
  });

  it('maps a PARAM_ERROR with the field WeChat named', async () => {
    const error = await rejection(client.prepay({ ...order(), outTradeNo: 'bad no!' }));

    expect(error).toMatchObject({ code: 'PARAM_ERROR', status: 400, detail: { field: '/out_trade_no', location: 'body' } });
  });
});

describe('WeChat Pay client against a WeChat Pay impostor', () => {
  const keys = sandboxKeys();
  const impostorKey = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const platformSigner = createRsaSigner(keys.platform.privateKeyPem);
  const impostorSigner = createRsaSigner(impostorKey);
  let mode: 'forged' | 'unknown-serial' | 'stale' | 'unsigned' | 'unsigned-503' | 'signed-error' = 'forged';
  let server: { url: string; close: () => Promise<void> };
  let client: WechatPayClient;

  beforeAll(async () => {
    const app = express();
    app.use((_req, res) => {
      const body = mode === 'signed-error' ? JSON.stringify({ code: 'ORDERPAID', message: '订单已支付' }) : JSON.stringify({ prepay_id: 'wx-forged' });
      const nowSeconds = Math.floor(Date.now() / 1000);
      const timestamp = String(mode === 'stale' ? nowSeconds - 301 : nowSeconds);
      const nonce = 'n0nce';
      const signer = mode === 'forged' ? impostorSigner : platformSigner;
      if (mode === 'unsigned-503') return void res.status(503).send('<html>busy</html>');
      if (mode !== 'unsigned') {
        res.set({
          'Wechatpay-Timestamp': timestamp,
          'Wechatpay-Nonce': nonce,
          'Wechatpay-Serial': mode === 'unknown-serial' ? 'PUB_KEY_ID_0199999999999999999999999999' : keys.platform.publicKeyId,
          'Wechatpay-Signature': signer.sign(`${timestamp}\n${nonce}\n${body}\n`),
        });
      }
      res.status(mode === 'signed-error' ? 400 : 200).type('application/json').send(body);
    });
    server = await listen(app);
    client = createWechatPayClient({ ...payClientOptions(keys, server.url, { now: () => Date.now() }), maxRetries: 0 });
  });
  afterAll(async () => {
    await server.close();
  });

  it.each([
    ['forged', 'SIGNATURE_INVALID'],
    ['unknown-serial', 'SERIAL_UNKNOWN'],
    ['stale', 'TIMESTAMP_OUT_OF_WINDOW'],
    ['unsigned', 'SIGNATURE_MISSING'],
  ] as const)('rejects a %s response with %s', async (responseMode, code) => {
    mode = responseMode;

    const error = await rejection(client.prepay(order()));

    expect(error).toMatchObject({ code, status: 200 });
  });

  it('treats an unsigned 503 from a gateway as a retryable SYSTEM_ERROR', async () => {
    mode = 'unsigned-503';

    const error = await rejection(client.prepay(order()));

    expect(error).toMatchObject({ code: 'SYSTEM_ERROR', status: 503, retryable: true });
  });

  it('trusts an error code only from a signed answer', async () => {
    mode = 'signed-error';

    const error = await rejection(client.prepay(order()));

    expect(error).toMatchObject({ code: 'ORDERPAID', status: 400 });
  });

  it('never puts a key into its errors', async () => {
    const errors: WechatPayError[] = [];
    for (const each of ['forged', 'unknown-serial', 'stale', 'unsigned', 'unsigned-503', 'signed-error'] as const) {
      mode = each;
      errors.push(await rejection(client.prepay(order())));
    }
    const secrets = [
      keys.apiV3Key,
      keys.appSecret,
      ...keys.merchant.privateKeyPem.split('\n').filter((line) => line.length > 40),
      ...keys.platform.privateKeyPem.split('\n').filter((line) => line.length > 40),
    ];

    for (const error of errors) {
      const everything = `${error.message} ${JSON.stringify(error)} ${error.stack ?? ''} ${String(error)}`;
      for (const secret of secrets) expect(everything).not.toContain(secret);
    }
    expect(errors.map((e) => e.code)).toEqual(['SIGNATURE_INVALID', 'SERIAL_UNKNOWN', 'TIMESTAMP_OUT_OF_WINDOW', 'SIGNATURE_MISSING', 'SYSTEM_ERROR', 'ORDERPAID']);
  });
});
