// The published WeChat Pay v3 examples (signing test vectors).
import fs from 'node:fs';
import path from 'node:path';

// Copied byte for byte from ../shared/wechatpay-vectors so the suite runs from any checkout.
const folder = path.join(__dirname, 'fixtures');

interface Vectors {
  paySign: { message: string; signature: string };
  requestSignature: { method: string; url: string; timestamp: string; nonce: string; body: string; message: string; signature: string };
  responseSignature: { timestamp: string; nonce: string; body: string; message: string; signature: string };
}

/** The vectors file, parsed. */
export const vectors = JSON.parse(fs.readFileSync(path.join(folder, 'vectors.json'), 'utf8')) as Vectors;
/** The published merchant test private key. */
export const merchantTestPrivateKeyPem = fs.readFileSync(path.join(folder, 'merchant-test-private-key.pem'), 'utf8');
/** The sample WeChat Pay public key. */
export const wechatpaySamplePublicKeyPem = fs.readFileSync(path.join(folder, 'wechatpay-public-key-sample.pem'), 'utf8');
