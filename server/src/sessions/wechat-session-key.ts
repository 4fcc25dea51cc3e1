/**
 * A friend's WeChat `session_key`, kept server-side to decrypt what WeChat encrypts for them
 * (private-message proofs). Sealed at rest with AES-256-GCM under a key derived from the session
 * signing key, the openid as associated data (a sealed key moved to another user's row does not
 * open); never logged, never sent to a client.
 */
import crypto, { type KeyObject } from 'node:crypto';
import type { ServiceDeps } from '../service-deps';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

function sealingKey(sessionSigningKey: KeyObject): Buffer {
  return crypto.createHmac('sha256', sessionSigningKey).update('friend-pay/wechat-session-key/v1').digest();
}

/** `session_key` sealed for storage: `v1.<base64url of iv, tag, ciphertext>`. */
export function sealSessionKey(sessionSigningKey: KeyObject, openid: string, sessionKey: string): string {
  const iv = crypto.randomBytes(IV_BYTES);
  const cipher = crypto.createCipheriv('aes-256-gcm', sealingKey(sessionSigningKey), iv);
  cipher.setAAD(Buffer.from(openid, 'utf8'));
  const sealed = Buffer.concat([cipher.update(sessionKey, 'utf8'), cipher.final()]);
  return `${VERSION}.${Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64url')}`;
}

/** The `session_key` in `sealed`, or undefined when it does not open (another key, another user, tampered). */
export function openSessionKey(sessionSigningKey: KeyObject, openid: string, sealed: string): string | undefined {
  const [version, body] = sealed.split('.');
  if (version !== VERSION || body === undefined) return undefined;
  const bytes = Buffer.from(body, 'base64url');
  if (bytes.length <= IV_BYTES + TAG_BYTES) return undefined;
  try {
    const decipher = crypto.createDecipheriv('aes-256-gcm', sealingKey(sessionSigningKey), bytes.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(openid, 'utf8'));
    decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}

/** Keeps the user's latest `session_key`, sealed. */
export async function keepSessionKey(deps: Pick<ServiceDeps, 'store' | 'sessionKey' | 'clock'>, openid: string, sessionKey: string): Promise<void> {
  await deps.store.saveWechatSessionKey(openid, sealSessionKey(deps.sessionKey, openid, sessionKey), deps.clock.now());
}

/** The user's latest `session_key`, or undefined when none is kept (or it no longer opens). */
export async function currentSessionKey(deps: Pick<ServiceDeps, 'store' | 'sessionKey'>, openid: string): Promise<string | undefined> {
  const sealed = await deps.store.getWechatSessionKey(openid);
  return sealed === undefined ? undefined : openSessionKey(deps.sessionKey, openid, sealed);
}
