// Conformance against an SDK we did not write: wechatpay-axios-plugin talks to our simulator,
// and notifications built with its own helpers pass our verifier and decryptor.
import crypto from 'node:crypto';
import { Aes, Formatter, Hash, Rsa, Wechatpay } from 'wechatpay-axios-plugin';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdjustableClock, systemClock } from '../../server/src/clock';
import { createHttpTransport, type HttpTransport, type TransportRequest } from '../../server/src/wechat/http-transport';
import { createNotificationParser } from '../../server/src/wechat/notification';
import { decryptCertificates } from '../../server/src/wechat/platform-certificates';
import { chinaDayOf } from '../../server/src/wechat/time';
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

describe('wechatpay-axios-plugin and platform certificates', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox();
  });
  afterAll(async () => sandbox.close());

  const sdk = (certs: Record<string, string>) =>
    new Wechatpay({ mchid: sandbox.keys.mchId, serial: sandbox.keys.merchant.serial, privateKey: sandbox.keys.merchant.privateKeyPem, certs, baseURL: `${sandbox.payBaseUrl}/` });

  interface CertificatesAnswer {
    data: { serial_no: string; encrypt_certificate: { nonce: string; associated_data: string; ciphertext: string } }[];
  }

  it('decrypts our certificates with its own AES-GCM and verifies answers signed by them with its own verifier', async () => {
    const { keys } = sandbox;
    // The first certificate, then its successor: both valid, as during a rotation.
    sandbox.paySimulator.certificates.listed();
    sandbox.paySimulator.certificates.rotate();
    // The list itself is verified with the public key the SDK holds.
    const listed = (await sdk({ [keys.platform.publicKeyId]: keys.platform.publicKeyPem }).v3.certificates.get()).data as CertificatesAnswer;
    const decrypted = Object.fromEntries(listed.data.map((entry) => [entry.serial_no, Aes.AesGcm.decrypt(entry.encrypt_certificate.ciphertext, keys.apiV3Key, entry.encrypt_certificate.nonce, entry.encrypt_certificate.associated_data)]));
    sandbox.paySimulator.faults.set({ signWith: 'certificate' });
    const answer = await sdk(decrypted).v3.pay.transactions.outTradeNo['{out_trade_no}'].get({ params: { mchid: keys.mchId }, out_trade_no: 'NEVER-PLACED' }).catch((error: AxiosLikeError) => error.response);
    sandbox.paySimulator.faults.reset();

    expect(listed.data.length).toBeGreaterThanOrEqual(2);
    expect(Object.keys(decrypted).sort()).toEqual(sandbox.paySimulator.certificates.listed().map((c) => c.serial).sort());
    expect(Object.values(decrypted).map((pem) => new crypto.X509Certificate(pem).serialNumber).sort()).toEqual(Object.keys(decrypted).sort());
    expect(answer?.status).toBe(404);
    // And ours reads the very same bytes to the very same certificates.
    expect(decryptCertificates(listed, Buffer.from(keys.apiV3Key)).map((c) => [c.serial, c.pem])).toEqual(Object.entries(decrypted));
  });

  it('encrypts a certificate our decryption reads back, serial checked', () => {
    const { keys } = sandbox;
    const [certificate] = sandbox.paySimulator.certificates.listed();
    const nonce = Formatter.nonce(12);
    const entry = { serial_no: certificate.serial.toLowerCase(), effective_time: '2026-01-01T00:00:00+08:00', expire_time: '2031-01-01T00:00:00+08:00', encrypt_certificate: { algorithm: 'AEAD_AES_256_GCM', nonce, associated_data: 'certificate', ciphertext: Aes.AesGcm.encrypt(certificate.pem, keys.apiV3Key, nonce, 'certificate') } };

    const [ours] = decryptCertificates({ data: [entry] }, Buffer.from(keys.apiV3Key));
    const forgedSerial = () => decryptCertificates({ data: [{ ...entry, serial_no: '0ABCDEF' }] }, Buffer.from(keys.apiV3Key));

    expect(ours).toMatchObject({ serial: certificate.serial, pem: certificate.pem, notBefore: certificate.notBefore, notAfter: certificate.notAfter });
    expect(forgedSerial).toThrow(/has serial/);
  });
});

describe('wechatpay-axios-plugin and partner mode', () => {
  let sandbox: Sandbox;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let wxpay: Wechatpay;
  const SUB = '1900000109';
  beforeAll(async () => {
    sandbox = await startSandbox();
    receiver = await startReceiver();
    const { keys } = sandbox;
    wxpay = new Wechatpay({ mchid: keys.mchId, serial: keys.merchant.serial, privateKey: keys.merchant.privateKeyPem, certs: { [keys.platform.publicKeyId]: keys.platform.publicKeyPem }, baseURL: `${sandbox.payBaseUrl}/` });
  });
  afterAll(async () => {
    await sandbox.close();
    await receiver.close();
  });

  it('places, queries, closes and refunds a sub-merchant\'s order with the SDK\'s signatures, which our simulator verifies', async () => {
    const { keys } = sandbox;
    const paid = newOutTradeNo('SDKP');
    const closed = newOutTradeNo('SDKP');
    const body = (outTradeNo: string) => ({ sp_appid: keys.appId, sp_mchid: keys.mchId, sub_mchid: SUB, description: 'SDK 服务商', out_trade_no: outTradeNo, notify_url: receiver.url, amount: { total: 300, currency: 'CNY' }, payer: { sp_openid: openid } });

    const prepay = await wxpay.v3.pay.partner.transactions.jsapi.post(body(paid));
    sandbox.paySimulator.pay(prepayIdOf(prepay), openid, 'success');
    const query = await wxpay.v3.pay.partner.transactions.outTradeNo['{out_trade_no}'].get({ params: { sp_mchid: keys.mchId, sub_mchid: SUB }, out_trade_no: paid });
    await wxpay.v3.pay.partner.transactions.jsapi.post(body(closed));
    const close = await wxpay.v3.pay.partner.transactions.outTradeNo['{out_trade_no}'].close.post({ sp_mchid: keys.mchId, sub_mchid: SUB }, { out_trade_no: closed });
    const refund = await wxpay.v3.refund.domestic.refunds.post({ sub_mchid: SUB, out_trade_no: paid, out_refund_no: `${paid}R`, amount: { refund: 100, total: 300, currency: 'CNY' } });
    const refundQuery = await wxpay.v3.refund.domestic.refunds['{out_refund_no}'].get({ params: { sub_mchid: SUB }, out_refund_no: `${paid}R` });

    expect(query.data).toMatchObject({ sp_mchid: keys.mchId, sp_appid: keys.appId, sub_mchid: SUB, trade_state: 'SUCCESS', payer: { sp_openid: openid } });
    expect(close.status).toBe(204);
    expect(refund.data).toMatchObject({ out_refund_no: `${paid}R`, status: 'PROCESSING' });
    expect(refundQuery.status).toBe(200);
    expect(sandbox.paySimulator.ledger.refunds()[0]).toMatchObject({ subMchId: SUB });
  });

  it('signs our partner requests so that the SDK\'s own verification of the signed message passes', async () => {
    const { keys } = sandbox;
    const real = createHttpTransport();
    const recorded: TransportRequest[] = [];
    const transport: HttpTransport = { send: (request) => (recorded.push(request), real.send(request)), close: () => real.close() };
    const ours = sandbox.payClient({ mode: 'partner', transport });
    const outTradeNo = newOutTradeNo('OURP');
    const sub = { subMchId: SUB };

    await ours.prepay({ outTradeNo, description: '我们的服务商请求', amountTotal: 200, payerOpenid: openid, notifyUrl: receiver.url }, sub);
    await ours.queryByOutTradeNo(outTradeNo, sub);
    await ours.close(outTradeNo, sub);
    transport.close();

    const verified = recorded.map((request) => {
      const fields = Object.fromEntries([...(request.headers['Authorization'] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((match) => [match[1], match[2]]));
      const message = Formatter.request(request.method, `${request.url.pathname}${request.url.search}`, fields['timestamp'] ?? '', fields['nonce_str'] ?? '', request.body ?? '');
      return { path: request.url.pathname.replace(/^.*\/v3\//, '/v3/'), search: request.url.search, valid: Rsa.verify(message, fields['signature'] ?? '', Rsa.from(keys.merchant.publicKeyPem, Rsa.KEY_TYPE_PUBLIC)), mchid: fields['mchid'] };
    });

    expect(verified).toEqual([
      { path: '/v3/pay/partner/transactions/jsapi', search: '', valid: true, mchid: keys.mchId },
      { path: `/v3/pay/partner/transactions/out-trade-no/${outTradeNo}`, search: `?sp_mchid=${keys.mchId}&sub_mchid=${SUB}`, valid: true, mchid: keys.mchId },
      { path: `/v3/pay/partner/transactions/out-trade-no/${outTradeNo}/close`, search: '', valid: true, mchid: keys.mchId },
    ]);
    expect(JSON.parse(recorded[0]?.body ?? '{}')).toMatchObject({ sp_appid: keys.appId, sp_mchid: keys.mchId, sub_mchid: SUB, payer: { sp_openid: openid } });
    expect(JSON.parse(recorded[2]?.body ?? '{}')).toEqual({ sp_mchid: keys.mchId, sub_mchid: SUB });
  });

  it('signs the pay sheet for the sub-merchant\'s app when the order names it, else for the service provider\'s', () => {
    const { keys } = sandbox;
    const ours = sandbox.payClient({ mode: 'partner' });
    const merchantKey = Rsa.from(keys.merchant.publicKeyPem, Rsa.KEY_TYPE_PUBLIC);
    const verifies = (appId: string, params: { timeStamp: string; nonceStr: string; package: string; paySign: string }) =>
      Rsa.verify(Formatter.joinedByLineFeed(appId, params.timeStamp, params.nonceStr, params.package), params.paySign, merchantKey);

    const provider = ours.requestPaymentParams('wx201410272009395522657a690389285100', { subMchId: SUB });
    const subApp = ours.requestPaymentParams('wx201410272009395522657a690389285100', { subMchId: SUB, subAppId: 'wx1234567890abcdef' });

    expect(verifies(keys.appId, provider)).toBe(true);
    expect(verifies('wx1234567890abcdef', subApp)).toBe(true);
    expect(verifies(keys.appId, subApp)).toBe(false);
  });
});

describe('wechatpay-axios-plugin and trade bills', () => {
  it('downloads our simulator\'s bill, which its hash and CSV reader accept and which reads as ours reads it', async () => {
    // The simulator lives two days back; our client (on its clock) pays there, then the clock catches up with the SDK's.
    const clock = new AdjustableClock({ now: () => Date.now() - 2 * 24 * 3600_000 });
    const sandbox = await startSandbox({ clock });
    const receiver = await startReceiver();
    try {
      const { keys } = sandbox;
      const ours = sandbox.payClient();
      const day = chinaDayOf(clock.now());
      for (const amount of [101, 2550]) {
        const { prepayId } = await ours.prepay({ outTradeNo: newOutTradeNo('BILL'), description: '账单, 一致性', amountTotal: amount, payerOpenid: openid, notifyUrl: receiver.url });
        sandbox.paySimulator.pay(prepayId, openid, 'success');
      }
      clock.advance(2 * 24 * 3600);
      const wxpay = new Wechatpay({ mchid: keys.mchId, serial: keys.merchant.serial, privateKey: keys.merchant.privateKeyPem, certs: { [keys.platform.publicKeyId]: keys.platform.publicKeyPem }, baseURL: `${sandbox.payBaseUrl}/` });

      const answer = (await wxpay.v3.bill.tradebill.get({ params: { bill_date: day, bill_type: 'ALL' } })).data as { hash_type: string; hash_value: string; download_url: string };
      const token = new URL(answer.download_url).searchParams.get('token');
      const file = await wxpay.v3.billdownload.file.get({ params: { token }, responseType: 'arraybuffer' });
      const bytes = Buffer.from(file.data as ArrayBuffer);
      const sdkBill = Formatter.castCsvBill(bytes) as { rows: Record<string, string>[]; summary: Record<string, string> };
      const ourBill = (await ours.tradeBill({ billDate: day })).bill;

      expect(answer.hash_type).toBe('SHA1');
      expect(Hash.sha1(bytes)).toBe(answer.hash_value);
      expect(sdkBill.rows.map((row) => [row['商户订单号'], row['交易状态'], row['订单金额']])).toEqual(ourBill.rows.map((row) => [row.outTradeNo, row.tradeState, (row.orderAmount / 100).toFixed(2)]));
      expect(sdkBill.summary).toMatchObject({ 总交易单数: '2', 订单总金额: '26.51' });
    } finally {
      await sandbox.close();
      await receiver.close();
    }
  });
});
