/**
 * WeChat's encrypted user data (加密数据解密算法), as `wx.authPrivateMessage` hands it to the mini
 * program: AES-128-CBC with PKCS#7 padding, the key the user's `session_key` from code2Session,
 * the iv and the ciphertext base64. The plaintext is JSON with a `watermark` naming the app. The
 * encrypting side sits beside the decrypting one, so the sandbox builds its data exactly this way.
 */
import crypto from 'node:crypto';
import { USER_DATA_CIPHER, USER_DATA_KEY_BYTES } from './platform/message-consts';

/** The app and moment WeChat stamps into every piece of user data. */
export interface Watermark {
  appid: string;
  /** Unix seconds. */
  timestamp: number;
}

/** What `wx.authPrivateMessage` encrypts: the card's activity id. */
export interface PrivateMessageData {
  activityId: string;
  watermark: Watermark;
}

const base64 = /^[A-Za-z0-9+/]+={0,2}$/;

function decodeKeyMaterial(value: string): Buffer | undefined {
  if (!base64.test(value)) return undefined;
  const bytes = Buffer.from(value, 'base64');
  return bytes.length === USER_DATA_KEY_BYTES ? bytes : undefined;
}

/** Encrypts `plaintext` as WeChat does for the user whose session key is `sessionKey`. */
export function encryptUserData(plaintext: string, sessionKey: string, iv: Buffer = crypto.randomBytes(USER_DATA_KEY_BYTES)): { encryptedData: string; iv: string } {
  const key = decodeKeyMaterial(sessionKey);
  if (key === undefined) throw new TypeError('the session key must be 16 bytes as base64');
  const cipher = crypto.createCipheriv(USER_DATA_CIPHER, key, iv);
  const encrypted = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return { encryptedData: encrypted.toString('base64'), iv: iv.toString('base64') };
}

/**
 * The JSON object in `encryptedData`, or undefined when it does not decrypt under this session
 * key (wrong key, wrong iv, tampered bytes, bad padding) or is not a JSON object. Never throws:
 * every failure means the same to a caller (the data is not this user's).
 */
export function decryptUserData(encryptedData: string, iv: string, sessionKey: string): Record<string, unknown> | undefined {
  const key = decodeKeyMaterial(sessionKey);
  const ivBytes = decodeKeyMaterial(iv);
  if (key === undefined || ivBytes === undefined || encryptedData.length > 8192 || !base64.test(encryptedData)) return undefined;
  try {
    const decipher = crypto.createDecipheriv(USER_DATA_CIPHER, key, ivBytes);
    const plaintext = Buffer.concat([decipher.update(Buffer.from(encryptedData, 'base64')), decipher.final()]).toString('utf8');
    const parsed = JSON.parse(plaintext) as unknown;
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The private message data in `encryptedData` if it decrypts and is shaped as WeChat's; undefined otherwise. */
export function decryptPrivateMessageData(encryptedData: string, iv: string, sessionKey: string): PrivateMessageData | undefined {
  const data = decryptUserData(encryptedData, iv, sessionKey);
  const watermark = data?.['watermark'];
  const activityId = data?.['activityId'];
  if (typeof activityId !== 'string' || typeof watermark !== 'object' || watermark === null) return undefined;
  const { appid, timestamp } = watermark as Record<string, unknown>;
  if (typeof appid !== 'string' || typeof timestamp !== 'number') return undefined;
  return { activityId, watermark: { appid, timestamp } };
}
