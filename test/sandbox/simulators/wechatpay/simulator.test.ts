import crypto from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AdjustableClock } from '../../../../server/src/clock';
import { SandboxError } from '../../../../server/src/sandbox/simulators/sandbox-error';
import { buildAuthorization } from '../../../../server/src/wechat/authorization';
import { createRsaSigner, type Signer } from '../../../../server/src/wechat/signer';
import { createPublicKeyVerifier, verifySignedBody } from '../../../../server/src/wechat/verifier';
import { newOutTradeNo, startReceiver, startSandbox, type Sandbox } from '../../harness';

const openid = 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o';

interface RawOptions {
  signer?: Signer;
  timestampOffsetSeconds?: number;
  serial?: string;
  signedBody?: string;
  authorization?: string | null;
}

describe('WeChat Pay simulator over HTTP', () => {
  let sandbox: Sandbox;
  let clock: AdjustableClock;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let merchantSigner: Signer;

  async function raw(method: 'GET' | 'POST', pathAndQuery: string, body?: unknown, options: RawOptions = {}) {
    const url = new URL(`${sandbox.payBaseUrl}${pathAndQuery}`);
    const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
    const authorization =
      options.authorization === undefined
        ? buildAuthorization(
            {
              method,
              url: `${url.pathname}${url.search}`,
              body: options.signedBody ?? text,
              timestamp: String(Math.floor(clock.now() / 1000) + (options.timestampOffsetSeconds ?? 0)),
              nonce: crypto.randomBytes(16).toString('hex'),
            },
            { mchid: sandbox.keys.mchId, serialNo: options.serial ?? sandbox.keys.merchant.serial, signer: options.signer ?? merchantSigner },
          )
        : options.authorization;
    const response = await fetch(url, {
      method,
      headers: { 'Content-Type': 'application/json', ...(authorization === null ? {} : { Authorization: authorization }) },
      ...(body === undefined ? {} : { body: text }),
    });
    const responseText = await response.text();
    return { status: response.status, headers: response.headers, text: responseText, json: responseText === '' ? undefined : (JSON.parse(responseText) as Record<string, unknown>) };
  }

  function prepayBody(overrides: Record<string, unknown> = {}) {
    return {
      appid: sandbox.keys.appId,
      mchid: sandbox.keys.mchId,
      description: '测试商品',
      out_trade_no: newOutTradeNo(),
      notify_url: receiver.url,
      amount: { total: 100, currency: 'CNY' },
      payer: { openid },
      ...overrides,
    };
  }

  beforeAll(async () => {
    clock = new AdjustableClock();
    sandbox = await startSandbox({ clock, refundSettleMs: 1 });
    receiver = await startReceiver();
    merchantSigner = createRsaSigner(sandbox.keys.merchant.privateKeyPem);
  });
  afterEach(() => {
    sandbox.paySimulator.faults.reset();
  });
  afterAll(async () => {
    await sandbox.close();
    await receiver.close();
  });

  it('accepts a correctly signed prepay and signs its answer with the platform key in public-key mode', async () => {
    const response = await raw('POST', '/v3/pay/transactions/jsapi', prepayBody());

    const verifier = createPublicKeyVerifier({ [sandbox.keys.platform.publicKeyId]: sandbox.keys.platform.publicKeyPem });
    expect(response.status).toBe(200);
    expect(response.json).toHaveProperty('prepay_id');
    expect(response.headers.get('wechatpay-serial')).toBe(sandbox.keys.platform.publicKeyId);
    expect(() => verifySignedBody({ headers: response.headers, body: response.text, verifier, clock })).not.toThrow();
  });

  it('answers 401 SIGN_ERROR to a request signed with another key', async () => {
    const otherSigner = createRsaSigner(crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey);

    const response = await raw('POST', '/v3/pay/transactions/jsapi', prepayBody(), { signer: otherSigner });

    expect(response.status).toBe(401);
    expect(response.json).toMatchObject({ code: 'SIGN_ERROR' });
  });

  it('answers 401 SIGN_ERROR when the body differs from what was signed', async () => {
    const body = prepayBody();

    const response = await raw('POST', '/v3/pay/transactions/jsapi', body, { signedBody: JSON.stringify({ ...body, amount: { total: 1 } }) });

    expect(response.status).toBe(401);
    expect(response.json).toMatchObject({ code: 'SIGN_ERROR' });
  });

  it('answers 401 SIGN_ERROR to a stale timestamp', async () => {
    const response = await raw('POST', '/v3/pay/transactions/jsapi', prepayBody(), { timestampOffsetSeconds: -301 });

    expect(response.status).toBe(401);
    expect(response.json).toMatchObject({ code: 'SIGN_ERROR', message: expect.stringContaining('timestamp') as unknown });
  });

  it('answers 401 SIGN_ERROR to a missing Authorization header or an unknown certificate serial', async () => {
    const missing = await raw('GET', '/v3/pay/transactions/out-trade-no/ANY-ORDER?mchid=1', undefined, { authorization: null });
    const wrongSerial = await raw('GET', `/v3/pay/transactions/out-trade-no/ANY-ORDER?mchid=${sandbox.keys.mchId}`, undefined, { serial: 'ABCDEF' });

    expect(missing.status).toBe(401);
    expect(wrongSerial.status).toBe(401);
    expect(wrongSerial.json).toMatchObject({ code: 'SIGN_ERROR' });
  });

  it('answers 400 PARAM_ERROR naming a missing field', async () => {
    const { payer: _payer, ...withoutPayer } = prepayBody();

    const response = await raw('POST', '/v3/pay/transactions/jsapi', withoutPayer);

    expect(response.status).toBe(400);
    expect(response.json).toMatchObject({ code: 'PARAM_ERROR', detail: { field: '/payer', issue: 'is required', location: 'body' } });
  });

  it.each([
    ['an out_trade_no with a forbidden character', { out_trade_no: 'ORDER#12345' }, '/out_trade_no'],
    ['an out_trade_no too short', { out_trade_no: 'A1' }, '/out_trade_no'],
    ['a description over 127 characters', { description: '商'.repeat(128) }, '/description'],
    ['an amount in yuan', { amount: { total: 1.5 } }, '/amount/total'],
    ['a time_expire without offset', { time_expire: '2030-01-01 10:00:00' }, '/time_expire'],
    ['a notify_url with a query string', { notify_url: 'https://example.com/notify?x=1' }, '/notify_url'],
  ])('answers 400 PARAM_ERROR to %s', async (_name, overrides, field) => {
    const response = await raw('POST', '/v3/pay/transactions/jsapi', prepayBody(overrides));

    expect(response.status).toBe(400);
    expect(response.json).toMatchObject({ code: 'PARAM_ERROR', detail: { field } });
  });

  it('answers 400 PARAM_ERROR to a body that is not JSON and to a query without mchid', async () => {
    const notJson = await raw('POST', '/v3/pay/transactions/jsapi', '{not json');
    const noMchid = await raw('GET', '/v3/pay/transactions/out-trade-no/ANY-ORDER');

    expect(notJson.json).toMatchObject({ code: 'PARAM_ERROR' });
    expect(noMchid.status).toBe(400);
    expect(noMchid.json).toMatchObject({ code: 'PARAM_ERROR', detail: { field: 'mchid', location: 'query' } });
  });

  it('answers APPID_MCHID_NOT_MATCH to another app id', async () => {
    const response = await raw('POST', '/v3/pay/transactions/jsapi', prepayBody({ appid: 'wx0000000000000000' }));

    expect(response.json).toMatchObject({ code: 'APPID_MCHID_NOT_MATCH' });
  });

  it('signs its error answers too', async () => {
    const response = await raw('GET', `/v3/pay/transactions/out-trade-no/NEVER-PLACED?mchid=${sandbox.keys.mchId}`);

    const verifier = createPublicKeyVerifier({ [sandbox.keys.platform.publicKeyId]: sandbox.keys.platform.publicKeyPem });
    expect(response.status).toBe(404);
    expect(response.json).toMatchObject({ code: 'ORDER_NOT_EXIST' });
    expect(() => verifySignedBody({ headers: response.headers, body: response.text, verifier, clock })).not.toThrow();
  });

  it('lets a prepay_id be paid for two hours only', async () => {
    const client = sandbox.payClient();
    const { prepayId } = await client.prepay({ outTradeNo: newOutTradeNo(), description: 'two hours', amountTotal: 10, payerOpenid: openid, notifyUrl: receiver.url });

    clock.advance(2 * 60 * 60 + 1);

    expect(() => sandbox.paySimulator.pay(prepayId, openid, 'success')).toThrow(expect.objectContaining({ code: 'PREPAY_EXPIRED' }));
  });

  it('honours time_expire: the unpaid order closes when it passes', async () => {
    const client = sandbox.payClient();
    const outTradeNo = newOutTradeNo();
    const { prepayId } = await client.prepay({ outTradeNo, description: 'expires', amountTotal: 10, payerOpenid: openid, notifyUrl: receiver.url, timeExpire: clock.now() + 10 * 60 * 1000 });

    clock.advance(10 * 60 + 1);
    const afterExpiry = await client.queryByOutTradeNo(outTradeNo);

    expect(afterExpiry.tradeState).toBe('CLOSED');
    expect(() => sandbox.paySimulator.pay(prepayId, openid, 'success')).toThrow(expect.objectContaining({ code: 'ORDER_CLOSED' }));
  });

  it('sends time_expire as RFC 3339 in +08:00', async () => {
    const client = sandbox.payClient();
    const outTradeNo = newOutTradeNo();
    const expiresAt = Date.UTC(2035, 0, 1, 0, 0, 0);

    await client.prepay({ outTradeNo, description: 'format', amountTotal: 10, payerOpenid: openid, notifyUrl: receiver.url, timeExpire: expiresAt });

    expect(sandbox.paySimulator.ledger.transaction(outTradeNo)?.timeExpire).toBe(expiresAt);
  });

  it('leaves the order NOTPAY when the payer cancels and marks PAYERROR when payment fails', async () => {
    const client = sandbox.payClient();
    const cancelled = await client.prepay({ outTradeNo: newOutTradeNo(), description: 'cancel', amountTotal: 10, payerOpenid: openid, notifyUrl: receiver.url });
    const failing = await client.prepay({ outTradeNo: newOutTradeNo(), description: 'fail', amountTotal: 10, payerOpenid: openid, notifyUrl: receiver.url });

    const afterCancel = sandbox.paySimulator.pay(cancelled.prepayId, openid, 'cancel');
    const afterFail = sandbox.paySimulator.pay(failing.prepayId, openid, 'fail');

    expect(afterCancel).toMatchObject({ tradeState: 'NOTPAY', notificationId: undefined });
    expect(afterFail).toMatchObject({ tradeState: 'PAYERROR', notificationId: undefined });
  });

  it('refuses a payer other than the one the order was placed for, and a second payment', async () => {
    const client = sandbox.payClient();
    const { prepayId } = await client.prepay({ outTradeNo: newOutTradeNo(), description: 'payer', amountTotal: 10, payerOpenid: openid, notifyUrl: receiver.url });

    let mismatch: unknown;
    try {
      sandbox.paySimulator.pay(prepayId, 'oSomeoneElse000000000000000', 'success');
    } catch (error: unknown) {
      mismatch = error;
    }
    sandbox.paySimulator.pay(prepayId, openid, 'success');

    expect(mismatch).toBeInstanceOf(SandboxError);
    expect(mismatch).toMatchObject({ code: 'OPENID_MISMATCH', status: 403 });
    expect(() => sandbox.paySimulator.pay(prepayId, openid, 'success')).toThrow(expect.objectContaining({ code: 'ORDER_PAID' }));
  });

  it('refuses to refund an unpaid order and a refund whose total is not the order total', async () => {
    const client = sandbox.payClient();
    const outTradeNo = newOutTradeNo();
    const { prepayId } = await client.prepay({ outTradeNo, description: 'refund rules', amountTotal: 100, payerOpenid: openid, notifyUrl: receiver.url });

    const unpaid = await raw('POST', '/v3/refund/domestic/refunds', { out_trade_no: outTradeNo, out_refund_no: 'R-unpaid', amount: { refund: 1, total: 100, currency: 'CNY' } });
    sandbox.paySimulator.pay(prepayId, openid, 'success');
    const wrongTotal = await raw('POST', '/v3/refund/domestic/refunds', { out_trade_no: outTradeNo, out_refund_no: 'R-total', amount: { refund: 1, total: 99, currency: 'CNY' } });
    const unknown = await raw('POST', '/v3/refund/domestic/refunds', { out_trade_no: 'NEVER-PLACED', out_refund_no: 'R-none', amount: { refund: 1, total: 1, currency: 'CNY' } });

    expect(unpaid.json).toMatchObject({ code: 'INVALID_REQUEST' });
    expect(wrongTotal.json).toMatchObject({ code: 'INVALID_REQUEST' });
    expect(unknown.status).toBe(404);
    expect(unknown.json).toMatchObject({ code: 'RESOURCE_NOT_EXISTS' });
  });

  /** A paid order of `total` fen placed and paid through the simulator. */
  async function paidOrder(total: number): Promise<string> {
    const outTradeNo = newOutTradeNo();
    const { prepayId } = await sandbox.payClient().prepay({ outTradeNo, description: 'refunds', amountTotal: total, payerOpenid: openid, notifyUrl: receiver.url });
    sandbox.paySimulator.pay(prepayId, openid, 'success');
    return outTradeNo;
  }

  it('settles refunds ABNORMAL or CLOSED while the fault switch says so, with the matching notification and query answer', async () => {
    const client = sandbox.payClient();
    const outTradeNo = await paidOrder(300);
    const before = receiver.received.length;
    sandbox.paySimulator.faults.set({ refundOutcome: { status: 'ABNORMAL', times: 1 } });
    await client.refund({ outTradeNo, outRefundNo: `${outTradeNo}-A`, amountRefund: 100, amountTotal: 300, notifyUrl: receiver.url });
    sandbox.paySimulator.faults.set({ refundOutcome: { status: 'CLOSED' } });
    await client.refund({ outTradeNo, outRefundNo: `${outTradeNo}-C`, amountRefund: 100, amountTotal: 300, notifyUrl: receiver.url });
    sandbox.paySimulator.faults.set({ refundOutcome: null });
    await client.refund({ outTradeNo, outRefundNo: `${outTradeNo}-S`, amountRefund: 100, amountTotal: 300, notifyUrl: receiver.url });
    await sandbox.paySimulator.idle();

    expect((await client.queryRefund(`${outTradeNo}-A`)).status).toBe('ABNORMAL');
    expect((await client.queryRefund(`${outTradeNo}-C`)).status).toBe('CLOSED');
    expect((await client.queryRefund(`${outTradeNo}-S`)).status).toBe('SUCCESS');
    const events = receiver.received.slice(before).map((request) => (JSON.parse(request.rawBody) as { event_type: string }).event_type).filter((type) => type.startsWith('REFUND.')).sort();
    expect(events).toEqual(['REFUND.ABNORMAL', 'REFUND.CLOSED', 'REFUND.SUCCESS']);
    // A closed refund gave nothing back; an abnormal one is spent (the merchant settles it by hand).
    expect(sandbox.paySimulator.ledger.transaction(outTradeNo)?.refundedAmount).toBe(200);
    const tooMuch = await raw('POST', '/v3/refund/domestic/refunds', { out_trade_no: outTradeNo, out_refund_no: `${outTradeNo}-X`, amount: { refund: 101, total: 300, currency: 'CNY' } });
    expect(tooMuch.json).toMatchObject({ code: 'INVALID_REQUEST' });
  });

  it('refunds one payment at most 50 times, answering the 51st with INVALID_REQUEST', async () => {
    const client = sandbox.payClient();
    const outTradeNo = await paidOrder(100);
    for (let i = 0; i < 50; i++) await client.refund({ outTradeNo, outRefundNo: `${outTradeNo}-${i}`, amountRefund: 1, amountTotal: 100 });

    const refused = await raw('POST', '/v3/refund/domestic/refunds', { out_trade_no: outTradeNo, out_refund_no: `${outTradeNo}-50`, amount: { refund: 1, total: 100, currency: 'CNY' } });
    const repeated = await raw('POST', '/v3/refund/domestic/refunds', { out_trade_no: outTradeNo, out_refund_no: `${outTradeNo}-7`, amount: { refund: 1, total: 100, currency: 'CNY' } });

    expect(refused.status).toBe(400);
    expect(refused.json).toMatchObject({ code: 'INVALID_REQUEST' });
    expect(String(refused.json?.message)).toContain('50');
    // The same out_refund_no again is the same refund, not a 51st.
    expect(repeated.status).toBe(200);
  });

  it('refunds a payment only within a year of it, answering later with INVALID_REQUEST', async () => {
    const client = sandbox.payClient();
    const outTradeNo = await paidOrder(100);
    clock.advance(365 * 24 * 3600 - 60);
    await client.refund({ outTradeNo, outRefundNo: `${outTradeNo}-in-time`, amountRefund: 1, amountTotal: 100 });
    clock.advance(61);

    const late = await raw('POST', '/v3/refund/domestic/refunds', { out_trade_no: outTradeNo, out_refund_no: `${outTradeNo}-late`, amount: { refund: 1, total: 100, currency: 'CNY' } });

    expect(late.status).toBe(400);
    expect(late.json).toMatchObject({ code: 'INVALID_REQUEST' });
    expect(String(late.json?.message)).toContain('一年');
  });

  it('keeps a read-only ledger of transactions and refunds', async () => {
    const client = sandbox.payClient();
    const outTradeNo = newOutTradeNo();
    const { prepayId } = await client.prepay({ outTradeNo, description: 'ledger', amountTotal: 70, payerOpenid: openid, notifyUrl: receiver.url });
    sandbox.paySimulator.pay(prepayId, openid, 'success');
    await client.refund({ outTradeNo, outRefundNo: `${outTradeNo}-R`, amountRefund: 20, amountTotal: 70 });

    const transaction = sandbox.paySimulator.ledger.transaction(outTradeNo);
    const refund = sandbox.paySimulator.ledger.refunds().find((r) => r.outTradeNo === outTradeNo);

    expect(transaction).toMatchObject({ amountTotal: 70, tradeState: 'REFUND', refundedAmount: 20, prepayIds: [prepayId] });
    expect(refund).toMatchObject({ amountRefund: 20, outRefundNo: `${outTradeNo}-R` });
    expect(Object.isFrozen(transaction)).toBe(true);
    expect(sandbox.paySimulator.ledger.transactions().some((t) => t.outTradeNo === outTradeNo)).toBe(true);
  });
});
