/**
 * The token encoding of a link (docs/architecture.md, "Links"): a JWT, HS256, `kid` in the header, claims
 * `lid`, `oid`, `iat`, `exp`, `aud: "friend-pay"`, and nothing else: amounts and names always
 * come from the store.
 */
import jwt from 'jsonwebtoken';
import { MAX_TOKEN_LENGTH } from '../../../shared/link-ref';
import { verifyHs256 } from '../tokens/hs256';
import type { LinkKeyring } from '../tokens/link-keys';

/** The audience of every link token; session tokens use another, so neither passes as the other. */
export const LINK_TOKEN_AUDIENCE = 'friend-pay';

const idPattern = /^[A-Za-z0-9_]{1,40}$/;

/** What a verified token names. */
export interface LinkTokenClaims {
  linkId: string;
  orderId: string;
  expiresAt: number;
}

/** Signs a token for a link with the newest key. */
export function signLinkToken(keyring: LinkKeyring, claims: LinkTokenClaims, nowMs: number): string {
  return jwt.sign(
    { lid: claims.linkId, oid: claims.orderId, iat: Math.floor(nowMs / 1000), exp: Math.floor(claims.expiresAt / 1000), aud: LINK_TOKEN_AUDIENCE },
    keyring.signing.tokenKey,
    { algorithm: 'HS256', keyid: keyring.signing.kid },
  );
}

/**
 * Verifies a token's signature, algorithm, key id and audience; undefined when any fails.
 * Expiry is not a failure here: an expired link is still shown to the friend as expired, and
 * the store's status (applied lazily) is what decides whether it can be paid.
 */
export function verifyLinkToken(keyring: LinkKeyring, token: string, nowMs: number): LinkTokenClaims | undefined {
  if (token.length > MAX_TOKEN_LENGTH) return undefined;
  const parts = verifyHs256(token, (header) => (typeof header.kid === 'string' ? keyring.byKid.get(header.kid)?.tokenKey : undefined));
  if (parts === undefined || parts.payload.aud !== LINK_TOKEN_AUDIENCE) return undefined;
  // We never issue `nbf`; a token carrying one in the future is not ours to accept early.
  const { nbf } = parts.payload;
  if (nbf !== undefined && (typeof nbf !== 'number' || nbf * 1000 > nowMs)) return undefined;
  const { lid, oid, exp } = parts.payload;
  if (typeof lid !== 'string' || typeof oid !== 'string' || typeof exp !== 'number') return undefined;
  if (!idPattern.test(lid) || !idPattern.test(oid)) return undefined;
  return { linkId: lid, orderId: oid, expiresAt: exp * 1000 };
}
