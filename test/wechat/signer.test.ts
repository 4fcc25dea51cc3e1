import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createRsaSigner, loadPrivateKey } from '../../server/src/wechat/signer';
import { merchantTestPrivateKeyPem, vectors } from './vectors';

describe('RSA signer', () => {
  it('reproduces the published paySign signature byte for byte', () => {
    const signer = createRsaSigner(merchantTestPrivateKeyPem);

    const signature = signer.sign(vectors.paySign.message);

    expect(signature).toBe(vectors.paySign.signature);
  });

  it('reproduces the published request signature byte for byte', () => {
    const signer = createRsaSigner(merchantTestPrivateKeyPem);

    const signature = signer.sign(vectors.requestSignature.message);

    expect(signature).toBe(vectors.requestSignature.signature);
  });

  it('signs the same way from a KeyObject as from PEM text', () => {
    const fromPem = createRsaSigner(merchantTestPrivateKeyPem);
    const fromKeyObject = createRsaSigner(crypto.createPrivateKey(merchantTestPrivateKeyPem));

    expect(fromKeyObject.sign('message\n')).toBe(fromPem.sign('message\n'));
  });

  it('refuses a broken key without repeating its text', () => {
    const broken = merchantTestPrivateKeyPem.replace(/[A-Za-z]{10}/, '!!!!!!!!!!');

    let message = '';
    try {
      loadPrivateKey(broken);
    } catch (error: unknown) {
      message = (error as Error).message;
    }

    expect(message).toBe('the private key is not a valid PEM private key');
  });

  it('refuses a non-RSA key', () => {
    const { privateKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' });

    expect(() => createRsaSigner(privateKey)).toThrow('WeChat Pay signatures need an RSA private key');
  });
});
