import crypto, { type KeyObject } from 'node:crypto';

/** Makes WeChat Pay signatures (SHA256withRSA, base64) with the merchant private key. */
export interface Signer {
  /** Base64 RSA-SHA256 (PKCS#1 v1.5) signature of the UTF-8 `message`. */
  sign(message: string): string;
}

/** A PEM string (PKCS#8 or PKCS#1) or an already loaded private KeyObject. */
export type PrivateKeyInput = string | KeyObject;

/** Loads a private key once; the PEM text is not kept. */
export function loadPrivateKey(key: PrivateKeyInput): KeyObject {
  if (typeof key !== 'string') {
    if (key.type !== 'private') throw new TypeError('a private key is required');
    return key;
  }
  try {
    return crypto.createPrivateKey(key);
  } catch {
    // Node's message is safe, but a message of our own guarantees no key text leaks into logs.
    throw new TypeError('the private key is not a valid PEM private key');
  }
}

/** A Signer over an RSA private key. */
export function createRsaSigner(privateKey: PrivateKeyInput): Signer {
  const key = loadPrivateKey(privateKey);
  if (key.asymmetricKeyType !== 'rsa') throw new TypeError('WeChat Pay signatures need an RSA private key');
  return {
    sign(message: string): string {
      return crypto.sign('sha256', Buffer.from(message, 'utf8'), key).toString('base64');
    },
  };
}
