import { randomBase62 } from '../ids';
import { AEAD_NONCE_LENGTH } from './consts';

/** A 32-character request nonce (`nonce_str`, `nonceStr`, `Wechatpay-Nonce`). */
export function randomNonce(): string {
  return randomBase62(32);
}

/** A 12-character AEAD nonce, as WeChat Pay uses for notification resources. */
export function randomResourceNonce(): string {
  return randomBase62(AEAD_NONCE_LENGTH);
}

/** Supplies nonces; injected so tests can fix them. */
export type NonceSource = () => string;
