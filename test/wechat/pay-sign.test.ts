import { describe, expect, it } from 'vitest';
import { buildRequestPaymentParams } from '../../server/src/wechat/pay-sign';
import { createRsaSigner } from '../../server/src/wechat/signer';
import { merchantTestPrivateKeyPem, vectors } from './vectors';

describe('requestPayment parameters', () => {
  it('reproduces the published paySign for the published appId, time, nonce and prepay_id', () => {
    const [appId, timeStamp, nonceStr, packageValue] = vectors.paySign.message.split('\n') as [string, string, string, string];
    const prepayId = packageValue.replace(/^prepay_id=/, '');

    const params = buildRequestPaymentParams({
      appId,
      prepayId,
      signer: createRsaSigner(merchantTestPrivateKeyPem),
      clock: { now: () => Number(timeStamp) * 1000 + 999 },
      nonce: () => nonceStr,
    });

    expect(params).toEqual({ timeStamp, nonceStr, package: `prepay_id=${prepayId}`, signType: 'RSA', paySign: vectors.paySign.signature });
  });

  it('uses a fresh 32-character nonce by default', () => {
    const signer = createRsaSigner(merchantTestPrivateKeyPem);
    const clock = { now: () => 1_700_000_000_000 };

    const first = buildRequestPaymentParams({ appId: 'wx2421b1c4370ec43b', prepayId: 'wx1', signer, clock });
    const second = buildRequestPaymentParams({ appId: 'wx2421b1c4370ec43b', prepayId: 'wx1', signer, clock });

    expect(first.nonceStr).toMatch(/^[0-9A-Za-z]{32}$/);
    expect(first.nonceStr).not.toBe(second.nonceStr);
    expect(first.timeStamp).toBe('1700000000');
  });
});
