/**
 * The shopper's capability for a link (README.md, "Live status in the chat"): a JWT, HS256, `kid`
 * in the header, claims `lid`, `iat`, `exp`, `aud: "friend-pay-shopper"`, signed with a key
 * derived for this purpose only. It opens the share page (`/pages/share/index?s=...`) and its
 * API; it never passes as a link token or a session token, nor either of them as it.
 */
import jwt from 'jsonwebtoken';
import { MAX_TOKEN_LENGTH } from '../../../shared/link-ref';
import { verifyHs256 } from '../tokens/hs256';
import type { LinkKeyring } from '../tokens/link-keys';

/** The audience of shopper tokens; link tokens use `friend-pay`, sessions `friend-pay-session`. */
export const SHOPPER_TOKEN_AUDIENCE = 'friend-pay-shopper';
/** The shopper may look back at a link (refunds, who paid) for this long after it expired. */
export const SHOPPER_TOKEN_AFTER_LINK_MS = 30 * 24 * 3600 * 1000;

const idPattern = /^[A-Za-z0-9_]{1,40}$/;

/** Signs the shopper token of a link expiring at `linkExpiresAt`, with the newest key. */
export function signShopperToken(keyring: LinkKeyring, linkId: string, linkExpiresAt: number, nowMs: number): string {
  return jwt.sign(
    { lid: linkId, iat: Math.floor(nowMs / 1000), exp: Math.floor((linkExpiresAt + SHOPPER_TOKEN_AFTER_LINK_MS) / 1000), aud: SHOPPER_TOKEN_AUDIENCE },
    keyring.signing.shopperKey,
    { algorithm: 'HS256', keyid: keyring.signing.kid },
  );
}

/** The link id of a valid, unexpired shopper token; undefined for anything else. */
export function verifyShopperToken(keyring: LinkKeyring, token: string, nowMs: number): string | undefined {
  if (token.length > MAX_TOKEN_LENGTH) return undefined;
  const parts = verifyHs256(token, (header) => (typeof header.kid === 'string' ? keyring.byKid.get(header.kid)?.shopperKey : undefined));
  if (parts === undefined || parts.payload.aud !== SHOPPER_TOKEN_AUDIENCE) return undefined;
  const { lid, exp, nbf } = parts.payload;
  if (nbf !== undefined && (typeof nbf !== 'number' || nbf * 1000 > nowMs)) return undefined;
  if (typeof lid !== 'string' || !idPattern.test(lid) || typeof exp !== 'number' || exp * 1000 <= nowMs) return undefined;
  return lid;
}
