// Conformance against an SDK we did not write: wechatpay-axios-plugin talks to our simulator,
// and notifications built with its own helpers pass our verifier and decryptor.
import crypto from 'node:crypto';
import { Aes, Formatter, Rsa, Wechatpay } from 'wechatpay-axios-plugin';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../server/src/clock';
import { createNotificationParser } from '../../server/src/wechat/notification';
import { createPublicKeyVerifier } from '../../server/src/wechat/verifier';
import { newOutTradeNo, startReceiver, startSandbox, type Sandbox } from '../sandbox/harness';

const openid = 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o';

interface AxiosLikeError {
  code?: string;
  response?: { status: number; data: unknown };
}

function prepayIdOf(response: { data: unknown }): string {
  return (response.data as { prepay_id: string }).prepay_id;
}

async function axiosFailure(promise: Promise<unknown>): Promise<AxiosLikeError> {
  try {
    await promise;
  } catch (error: unknown) {
    return error as AxiosLikeError;
  }
  throw new Error('expected the SDK call to fail');
}

describe('wechatpay-axios-plugin against our simulator', () => {
  let sandbox: Sandbox;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let wxpay: Wechatpay;

  /** A JSAPI prepay body exactly as the SDK's users write it. */
  function jsapiBody(outTradeNo: string, total: number, description = 'SDK 一致性测试') {
    return { appid: sandbox.keys.appId, mchid: sandbox.keys.mchId, description, out_trade_no: outTradeNo, notify_url: receiver.url, amount: { total, currency: 'CNY' }, payer: { openid } };
  }

  beforeAll(async () => {
    sandbox = await startSandbox();
    receiver = await startReceiver();
    const { keys } = sandbox;
    wxpay = new Wechatpay({
      mchid: keys.mchId,
      serial: keys.merchant.serial,
      privateKey: keys.merchant.privateKeyPem,
      certs: { [keys.platform.publicKeyId]: keys.platform.publicKeyPem },
      baseURL: `${sandbox.payBaseUrl}/`,
    });
  });
  afterAll(async () => {
    await sandbox.close();
    await receiver.close();
  });

  it('places a JSAPI order, queries it and closes it, verifying every answer', async () => {
    const { keys } = sandbox;
    const outTradeNo = newOutTradeNo('SDK');

    const prepay = await wxpay.v3.pay.transactions.jsapi.post(jsapiBody(outTradeNo, 1, 'SDK 一致性测试'));
    const query = await wxpay.v3.pay.transactions.outTradeNo['{out_trade_no}'].get({ params: { mchid: keys.mchId }, out_trade_no: outTradeNo });
    const close = await wxpay.v3.pay.transactions.outTradeNo['{out_trade_no}'].close.post({ mchid: keys.mchId }, { out_trade_no: outTradeNo });
    const closed = await wxpay.v3.pay.transactions.outTradeNo['{out_trade_no}'].get({ params: { mchid: keys.mchId }, out_trade_no: outTradeNo });

    expect(prepay.status).toBe(200);
    expect(prepayIdOf(prepay)).toMatch(/^wx/);
    expect(query.data).toMatchObject({ out_trade_no: outTradeNo, trade_state: 'NOTPAY', mchid: keys.mchId, appid: keys.appId });
    expect(close.status).toBe(204);
    expect(closed.data).toMatchObject({ trade_state: 'CLOSED' });
  });

  it('queries a paid order with the transaction the payer paid', async () => {
    const { keys } = sandbox;
    const outTradeNo = newOutTradeNo('SDK');
    const prepay = await wxpay.v3.pay.transactions.jsapi.post(jsapiBody(outTradeNo, 88, 'SDK paid'));
    sandbox.paySimulator.pay(prepayIdOf(prepay), openid, 'success');

    const query = await wxpay.v3.pay.transactions.outTradeNo['{out_trade_no}'].get({ params: { mchid: keys.mchId }, out_trade_no: outTradeNo });

    expect(query.data).toMatchObject({ trade_state: 'SUCCESS', amount: { total: 88, payer_total: 88 }, payer: { openid } });
  });

  it('really verifies: the SDK rejects our answers when it holds another WeChat Pay key under that id', async () => {
    const { keys } = sandbox;
    const otherKey = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
    const suspicious = new Wechatpay({
      mchid: keys.mchId,
      serial: keys.merchant.serial,
      privateKey: keys.merchant.privateKeyPem,
      certs: { [keys.platform.publicKeyId]: otherKey },
      baseURL: `${sandbox.payBaseUrl}/`,
    });

    const error = await axiosFailure(suspicious.v3.pay.transactions.outTradeNo['{out_trade_no}'].get({ params: { mchid: keys.mchId }, out_trade_no: 'NEVER-PLACED' }).then(() => undefined));
    const ok = await axiosFailure(
      suspicious.v3.pay.transactions.jsapi.post(jsapiBody(newOutTradeNo('SDK'), 1)),
    );

    expect(error.response?.status).toBe(404);
    expect(ok.code).toBe('EV3_RES_HEADER_SIGNATURE_DIGEST');
  });

  it('gets 401 SIGN_ERROR from our simulator when the SDK signs with a key that is not the merchant key', async () => {
    const { keys } = sandbox;
    const impostor = new Wechatpay({
      mchid: keys.mchId,
      serial: keys.merchant.serial,
      privateKey: crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      certs: { [keys.platform.publicKeyId]: keys.platform.publicKeyPem },
      baseURL: `${sandbox.payBaseUrl}/`,
    });

    const error = await axiosFailure(impostor.v3.pay.transactions.outTradeNo['{out_trade_no}'].get({ params: { mchid: keys.mchId }, out_trade_no: 'ANY-ORDER' }));

    expect(error.response?.status).toBe(401);
    expect(error.response?.data).toMatchObject({ code: 'SIGN_ERROR' });
  });

  it('can verify and decrypt the notifications our simulator sends, with its own helpers', async () => {
    const { keys } = sandbox;
    const outTradeNo = newOutTradeNo('SDK');
    const prepay = await wxpay.v3.pay.transactions.jsapi.post(jsapiBody(outTradeNo, 5, 'SDK notify'));
    const before = receiver.received.length;

    sandbox.paySimulator.pay(prepayIdOf(prepay), openid, 'success');
    await receiver.waitFor(before + 1);
    const { headers, rawBody } = receiver.received[before];
    const message = Formatter.response(String(headers['wechatpay-timestamp']), String(headers['wechatpay-nonce']), rawBody);
    const verified = Rsa.verify(message, String(headers['wechatpay-signature']), Rsa.from(keys.platform.publicKeyPem, Rsa.KEY_TYPE_PUBLIC));
    const { resource } = JSON.parse(rawBody) as { resource: { ciphertext: string; nonce: string; associated_data: string } };
    const decrypted = JSON.parse(Aes.AesGcm.decrypt(resource.ciphertext, keys.apiV3Key, resource.nonce, resource.associated_data)) as Record<string, unknown>;

    expect(headers['wechatpay-serial']).toBe(keys.platform.publicKeyId);
    expect(verified).toBe(true);
    expect(decrypted).toMatchObject({ out_trade_no: outTradeNo, trade_state: 'SUCCESS', amount: { total: 5 } });
  });
});

describe('a notification built with the SDK helpers', () => {
  const platform = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const publicKeyId = 'PUB_KEY_ID_0112345678901234567890123456';
  const apiV3Key = Formatter.nonce(32);
  const parser = createNotificationParser({ verifier: createPublicKeyVerifier({ [publicKeyId]: platform.publicKey }), apiV3Key, clock: systemClock });

  function buildWithSdk(eventType: string, resource: object, originalType: string) {
    const nonce = Formatter.nonce(12);
    const rawBody = JSON.stringify({
      id: crypto.randomUUID(),
      create_time: '2024-08-05T17:33:41+08:00',
      resource_type: 'encrypt-resource',
      event_type: eventType,
      summary: '支付成功',
      resource: { original_type: originalType, algorithm: 'AEAD_AES_256_GCM', ciphertext: Aes.AesGcm.encrypt(JSON.stringify(resource), apiV3Key, nonce, originalType), associated_data: originalType, nonce },
    });
    const timestamp = String(Formatter.timestamp());
    const headerNonce = Formatter.nonce();
    const headers = {
      'Wechatpay-Timestamp': timestamp,
      'Wechatpay-Nonce': headerNonce,
      'Wechatpay-Serial': publicKeyId,
      'Wechatpay-Signature': Rsa.sign(Formatter.response(timestamp, headerNonce, rawBody), platform.privateKey),
    };
    return { headers, rawBody };
  }

  it('is accepted by our verifier and decryptor as a payment', () => {
    const incoming = buildWithSdk(
      'TRANSACTION.SUCCESS',
      {
        appid: 'wxd678efh567hg6787',
        mchid: '1230000109',
        out_trade_no: 'SDK-ORDER-1',
        transaction_id: '4200000000000000000000000002',
        trade_type: 'JSAPI',
        trade_state: 'SUCCESS',
        trade_state_desc: '支付成功',
        success_time: '2024-08-05T17:33:41+08:00',
        payer: { openid },
        amount: { total: 321, payer_total: 321, currency: 'CNY', payer_currency: 'CNY' },
      },
      'transaction',
    );

    const parsed = parser.parseNotification(incoming);

    expect(parsed).toMatchObject({ kind: 'payment', eventType: 'TRANSACTION.SUCCESS', transaction: { outTradeNo: 'SDK-ORDER-1', amountTotal: 321, payerOpenid: openid } });
  });

  it('is accepted by our verifier and decryptor as a refund', () => {
    const incoming = buildWithSdk(
      'REFUND.SUCCESS',
      {
        mchid: '1230000109',
        out_trade_no: 'SDK-ORDER-1',
        transaction_id: '4200000000000000000000000002',
        out_refund_no: 'SDK-REFUND-1',
        refund_id: '50000000000000000000000000001',
        refund_status: 'SUCCESS',
        success_time: '2024-08-05T17:40:00+08:00',
        amount: { total: 321, refund: 21, payer_total: 321, payer_refund: 21 },
      },
      'refund',
    );

    const parsed = parser.parseNotification(incoming);

    expect(parsed).toMatchObject({ kind: 'refund', refund: { outRefundNo: 'SDK-REFUND-1', amountRefund: 21, status: 'SUCCESS' } });
  });
});
