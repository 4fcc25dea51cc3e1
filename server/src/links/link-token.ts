/**
 * The token encoding of a link (DESIGN.md §3): a JWT, HS256, `kid` in the header, claims
 * `lid`, `oid`, `iat`, `exp`, `aud: "friend-pay"`, and nothing else: amounts and names always
 * come from the store.
 */
import jwt from 'jsonwebtoken';
import { MAX_TOKEN_LENGTH } from '../../../shared/link-ref';
import type { LinkKeyring } from './link-keys';

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

function decodeHeader(token: string): Record<string, unknown> | undefined {
  const dot = token.indexOf('.');
  if (dot <= 0) return undefined;
  try {
    const header: unknown = JSON.parse(Buffer.from(token.slice(0, dot), 'base64url').toString('utf8'));
    return typeof header === 'object' && header !== null && !Array.isArray(header) ? (header as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Verifies a token's signature, algorithm, key id and audience; undefined when any fails.
 * Expiry is not a failure here: an expired link is still shown to the friend as expired, and
 * the store's status (applied lazily) is what decides whether it can be paid.
 */
export function verifyLinkToken(keyring: LinkKeyring, token: string, nowMs: number): LinkTokenClaims | undefined {
  if (token.length > MAX_TOKEN_LENGTH) return undefined;
  const header = decodeHeader(token);
  // Pin the algorithm before the library sees the token: `none` and RS/HS confusion stop here.
  if (header === undefined || header.alg !== 'HS256' || typeof header.kid !== 'string') return undefined;
  const key = keyring.byKid.get(header.kid);
  if (key === undefined) return undefined;
  let payload: unknown;
  try {
    payload = jwt.verify(token, key.tokenKey, {
      algorithms: ['HS256'],
      audience: LINK_TOKEN_AUDIENCE,
      ignoreExpiration: true,
      clockTimestamp: Math.floor(nowMs / 1000),
    });
  } catch {
    return undefined;
  }
  if (typeof payload !== 'object' || payload === null) return undefined;
  const { lid, oid, exp } = payload as Record<string, unknown>;
  if (typeof lid !== 'string' || typeof oid !== 'string' || typeof exp !== 'number') return undefined;
  if (!idPattern.test(lid) || !idPattern.test(oid)) return undefined;
  return { linkId: lid, orderId: oid, expiresAt: exp * 1000 };
}
