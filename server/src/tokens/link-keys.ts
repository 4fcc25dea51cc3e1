/**
 * The link signing keyring. Secrets become KeyObjects once, at start: jsonwebtoken given a
 * string or Buffer first tries to parse it as a public key, which costs ~560 µs a call; a
 * KeyObject costs ~15 µs (measured in bench/README.md).
 */
import crypto, { type KeyObject } from 'node:crypto';
import type { SigningKeyConfig } from '../config/config';

/** One key, ready for the token (JWT) and the code (truncated HMAC) encodings. */
export interface LinkKey {
  kid: string;
  tokenKey: KeyObject;
  codeKey: KeyObject;
  /** Signs shoppers' tokens (links/shopper-token.ts): a key of its own, so neither passes as the other. */
  shopperKey: KeyObject;
}

/** Keys newest first: the first signs, all verify. */
export interface LinkKeyring {
  signing: LinkKey;
  byKid: ReadonlyMap<string, LinkKey>;
  all: readonly LinkKey[];
}

/** A separate key per encoding, so a MAC made for codes can never pass as a token signature. */
function deriveKey(secret: Buffer, purpose: string): KeyObject {
  return crypto.createSecretKey(crypto.createHmac('sha256', secret).update(purpose).digest());
}

/** Builds the keyring from configuration (newest first). */
export function createLinkKeyring(keys: readonly SigningKeyConfig[]): LinkKeyring {
  if (keys.length === 0) throw new Error('at least one link signing key is required');
  const all = keys.map((key) => ({
    kid: key.kid,
    tokenKey: deriveKey(key.secret, 'friend-pay/link-token/v1'),
    codeKey: deriveKey(key.secret, 'friend-pay/link-code/v1'),
    shopperKey: deriveKey(key.secret, 'friend-pay/shopper-token/v1'),
  }));
  return { signing: all[0], byKid: new Map(all.map((key) => [key.kid, key])), all };
}
