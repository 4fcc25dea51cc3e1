import crypto from 'node:crypto';
import { AEAD_TAG_BYTES, APIV3_KEY_BYTES } from './consts';
import { WechatPayError } from './errors';

/** The APIv3 key: 32 bytes, given as WeChat shows it (a 32-character string) or as bytes. */
export type ApiV3KeyInput = string | Buffer;

/** Loads and checks an APIv3 key; the error never repeats the key. */
export function loadApiV3Key(key: ApiV3KeyInput): Buffer {
  const bytes = typeof key === 'string' ? Buffer.from(key, 'utf8') : Buffer.from(key);
  if (bytes.length !== APIV3_KEY_BYTES) throw new TypeError(`the APIv3 key must be ${APIV3_KEY_BYTES} bytes`);
  return bytes;
}

/** An encrypted notification `resource` (the fields AEAD_AES_256_GCM needs). */
export interface EncryptedResource {
  /** Base64 of ciphertext followed by the 16-byte tag. */
  ciphertext: string;
  /** The 12-character nonce, as text. */
  nonce: string;
  /** Additional authenticated data, as text (may be empty). */
  associatedData: string;
}

/**
 * Decrypts an AEAD_AES_256_GCM resource with the APIv3 key. Throws `DECRYPTION_FAILED` when
 * the tag, ciphertext, nonce, associated data or key do not match.
 */
export function decryptResource(resource: EncryptedResource, apiV3Key: ApiV3KeyInput): string {
  const key = loadApiV3Key(apiV3Key);
  const data = Buffer.from(resource.ciphertext, 'base64');
  if (data.length <= AEAD_TAG_BYTES) throw new WechatPayError('DECRYPTION_FAILED', 'ciphertext is too short');
  const nonce = Buffer.from(resource.nonce, 'utf8');
  if (nonce.length === 0) throw new WechatPayError('DECRYPTION_FAILED', 'nonce is empty');
  try {
    const decipher = crypto.createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: AEAD_TAG_BYTES });
    decipher.setAAD(Buffer.from(resource.associatedData, 'utf8'));
    decipher.setAuthTag(data.subarray(data.length - AEAD_TAG_BYTES));
    const plain = Buffer.concat([decipher.update(data.subarray(0, data.length - AEAD_TAG_BYTES)), decipher.final()]);
    return plain.toString('utf8');
  } catch {
    throw new WechatPayError('DECRYPTION_FAILED', 'resource does not decrypt with the APIv3 key');
  }
}

/** Encrypts like WeChat Pay does for notifications: base64(ciphertext || tag). */
export function encryptResource(plaintext: string, apiV3Key: ApiV3KeyInput, nonce: string, associatedData: string): string {
  const key = loadApiV3Key(apiV3Key);
  const cipher = crypto.createCipheriv('aes-256-gcm', key, Buffer.from(nonce, 'utf8'), { authTagLength: AEAD_TAG_BYTES });
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([body, cipher.getAuthTag()]).toString('base64');
}
