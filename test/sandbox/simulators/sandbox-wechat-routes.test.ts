import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { newOutTradeNo, startReceiver, startSandbox, type Sandbox } from '../harness';

describe('sandbox QA endpoints', () => {
  let sandbox: Sandbox;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  beforeAll(async () => {
    sandbox = await startSandbox();
    receiver = await startReceiver();
  });
  afterEach(async () => {
    await fetch(`${sandbox.url}/sandbox/faults`, { method: 'DELETE' });
  });
  afterAll(async () => {
    await sandbox.close();
    await receiver.close();
  });

  async function post(path: string, body: unknown) {
    const response = await fetch(`${sandbox.url}/sandbox${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
    return { status: response.status, contentType: response.headers.get('content-type'), body: (await response.json()) as Record<string, unknown> };
  }

  it('when QA asks for a login code, then the login client accepts it once', async () => {
    const issued = await post('/wx/login', { openid: 'oQaTester0000000000000000001' });

    const identity = await sandbox.loginClient().exchangeCode(String(issued.body['code']));

    expect(issued.status).toBe(200);
    expect(issued.body).toMatchObject({ openid: 'oQaTester0000000000000000001' });
    expect(identity.openid).toBe('oQaTester0000000000000000001');
  });

  it('when QA asks for a login code without an openid, then a new openid is made', async () => {
    const issued = await post('/wx/login', {});

    expect(issued.body['openid']).toMatch(/^o/);
  });

  it('when the pay sheet confirms, then the order is paid and the notification goes out', async () => {
    const outTradeNo = newOutTradeNo();
    const openid = 'oPayer00000000000000000000001';
    const { prepayId } = await sandbox.payClient().prepay({ outTradeNo, description: 'QA', amountTotal: 50, payerOpenid: openid, notifyUrl: receiver.url });

    const paid = await post('/wechatpay/pay', { prepay_id: prepayId, openid, outcome: 'success' });
    await receiver.waitFor(1);

    expect(paid.status).toBe(200);
    expect(paid.body).toMatchObject({ out_trade_no: outTradeNo, trade_state: 'SUCCESS', transaction_id: expect.stringMatching(/^4200/) as unknown });
    expect((await sandbox.payClient().parseNotification(receiver.received[0])).eventId).toBe(paid.body['notification_id']);
  });

  it('when the prepay_id is unknown, then it answers a problem with a stable code', async () => {
    const response = await post('/wechatpay/pay', { prepay_id: 'wx-unknown', openid: 'o1', outcome: 'success' });

    expect(response.status).toBe(404);
    expect(response.contentType).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({ type: 'about:blank', status: 404, code: 'PREPAY_NOT_FOUND' });
  });

  it.each([
    ['/wechatpay/pay', { prepay_id: 'wx1', openid: 'o1', outcome: 'maybe' }],
    ['/wechatpay/pay', { openid: 'o1', outcome: 'success' }],
    ['/wx/login', { openid: 'has spaces' }],
    ['/faults', { endpoints: { prepay: { fail: 'explode' } } }],
    ['/faults', { unknown_switch: true }],
  ])('when %s gets a bad body, then it answers 400 VALIDATION_FAILED problem+json', async (path, body) => {
    const response = await post(path, body);

    expect(response.status).toBe(400);
    expect(response.contentType).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({ type: 'about:blank', title: expect.any(String) as unknown, status: 400, code: 'VALIDATION_FAILED', detail: expect.any(String) as unknown });
  });

  it('when the body is not JSON, then it answers 400 MALFORMED_JSON problem+json', async () => {
    const response = await post('/wx/login', '{oops');

    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ code: 'MALFORMED_JSON' });
  });

  it('when QA makes query answer 5xx twice, then two queries fail and the third succeeds', async () => {
    const outTradeNo = newOutTradeNo();
    const noRetry = sandbox.payClient({ maxRetries: 0 });
    await noRetry.prepay({ outTradeNo, description: 'QA', amountTotal: 50, payerOpenid: 'o1', notifyUrl: receiver.url });

    const set = await post('/faults', { endpoints: { query: { fail: '5xx', status: 502, times: 2 } } });
    const outcomes = [];
    for (let i = 0; i < 3; i += 1) outcomes.push(await noRetry.queryByOutTradeNo(outTradeNo).then(() => 'ok', (error: { code: string; status: number }) => `${error.code} ${error.status}`));

    expect(set.body).toMatchObject({ endpoints: { query: { fail: '5xx', status: 502, remaining: 2 } } });
    expect(outcomes).toEqual(['SYSTEM_ERROR 502', 'SYSTEM_ERROR 502', 'ok']);
  });

  it('when QA sets notification and login faults, then reset clears them all', async () => {
    await post('/faults', { notifications: { duplicate: true, delay_ms: 10 }, fail_next_close: true, refund_outcome: { status: 'ABNORMAL', times: 2 }, login: { errcode: 45011 } });
    const before: unknown = await (await fetch(`${sandbox.url}/sandbox/faults`)).json();

    const reset = await post('/faults', { reset: true });

    expect(before).toMatchObject({ notifications: { duplicate: true, delay_ms: 10 }, fail_next_close: true, refund_outcome: { status: 'ABNORMAL', remaining: 2 }, login: { errcode: 45011, remaining: null } });
    expect(reset.body).toEqual({
      notifications: { delay_ms: 0, duplicate: false, drop: false, reorder: false, reorder_window_ms: 1000 },
      endpoints: {},
      fail_next_close: false,
      sign_with: 'public_key',
      bills: { not_ready: false, hash_mismatch: false },
      refund_outcome: null,
      login: null,
    });
  });

  it('when QA deletes the faults, then a forced login failure is gone', async () => {
    await post('/faults', { login: { errcode: -1 } });
    const { code } = sandbox.loginSimulator.issueCode();

    const deleted = await fetch(`${sandbox.url}/sandbox/faults`, { method: 'DELETE' });
    const identity = await sandbox.loginClient().exchangeCode(code);

    expect(deleted.status).toBe(200);
    expect(identity).toHaveProperty('openid');
  });
});
