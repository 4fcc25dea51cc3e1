import { describe, expect, it } from 'vitest';
import { buildAuthorization, formatAuthorization, parseAuthorization } from '../../server/src/wechat/authorization';
import { createRsaSigner } from '../../server/src/wechat/signer';
import { merchantTestPrivateKeyPem, vectors } from './vectors';

describe('Authorization header', () => {
  it('carries the published request signature for the published request', () => {
    const v = vectors.requestSignature;

    const header = buildAuthorization(
      { method: v.method, url: v.url, body: v.body, timestamp: v.timestamp, nonce: v.nonce },
      { mchid: '1900007291', serialNo: '408B07E79B8269FEC3D5D3E6AB8ED163A6A380DB', signer: createRsaSigner(merchantTestPrivateKeyPem) },
    );

    expect(header).toBe(
      `WECHATPAY2-SHA256-RSA2048 mchid="1900007291",nonce_str="${v.nonce}",signature="${v.signature}",timestamp="${v.timestamp}",serial_no="408B07E79B8269FEC3D5D3E6AB8ED163A6A380DB"`,
    );
  });

  it('parses what it formats', () => {
    const params = { mchid: '1900007291', nonceStr: 'abc', signature: 'c2ln+/==', timestamp: '1554208460', serialNo: 'SERIAL' };

    expect(parseAuthorization(formatAuthorization(params))).toEqual(params);
  });

  it('parses parameters in any order, as the SDK sends them', () => {
    const header = 'WECHATPAY2-SHA256-RSA2048 mchid="1",serial_no="S",timestamp="2",nonce_str="N",signature="c2ln"';

    expect(parseAuthorization(header)).toEqual({ mchid: '1', serialNo: 'S', timestamp: '2', nonceStr: 'N', signature: 'c2ln' });
  });

  it.each([
    ['no header', undefined],
    ['another scheme', 'Bearer abc'],
    ['a missing parameter', 'WECHATPAY2-SHA256-RSA2048 mchid="1",nonce_str="N",signature="c2ln",timestamp="2"'],
    ['a repeated parameter', 'WECHATPAY2-SHA256-RSA2048 mchid="1",mchid="2",serial_no="S",timestamp="2",nonce_str="N",signature="c2ln"'],
    ['garbage', 'WECHATPAY2-SHA256-RSA2048 ???'],
  ])('rejects %s', (_name, header) => {
    expect(parseAuthorization(header)).toBeUndefined();
  });
});
