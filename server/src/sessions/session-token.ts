/**
 * A friend's session token: a JWT carrying the WeChat openid (never the session_key), signed
 * with its own key and audience, so it is never accepted as a link token or the other way round.
 */
import crypto, { type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { AppError } from '../errors/app-error';
import { verifyHs256 } from '../tokens/hs256';

/** Audience of session tokens; link tokens use `friend-pay`. */
export const SESSION_AUDIENCE = 'friend-pay-session';
/** Sessions last two hours: long enough to pay, short enough to be worthless when leaked. */
export const SESSION_TTL_SECONDS = 2 * 3600;

/** Derives the session signing key once (a KeyObject: jsonwebtoken is ~36x slower with a raw secret, see tokens/link-keys.ts). */
export function createSessionKey(secret: Buffer): KeyObject {
  return crypto.createSecretKey(crypto.createHmac('sha256', secret).update('friend-pay/session/v1').digest());
}

/** Signs a session for `openid`. */
export function signSessionToken(key: KeyObject, openid: string, nowMs: number): string {
  const iat = Math.floor(nowMs / 1000);
  return jwt.sign({ sub: openid, aud: SESSION_AUDIENCE, iat, exp: iat + SESSION_TTL_SECONDS }, key, { algorithm: 'HS256' });
}

/** The openid of a valid session token; throws SESSION_INVALID otherwise. */
export function verifySessionToken(key: KeyObject, token: string, nowMs: number): string {
  if (token.length > 1024) throw new AppError('SESSION_INVALID', 'Session token invalid.');
  const parts = verifyHs256(token, () => key);
  if (parts !== undefined) {
    const { sub, aud, exp, nbf } = parts.payload;
    const nowSeconds = Math.floor(nowMs / 1000);
    // jsonwebtoken's rules: expired from the second `exp` names; never valid before `nbf`.
    const current = typeof exp === 'number' && nowSeconds < exp && (nbf === undefined || (typeof nbf === 'number' && nbf <= nowSeconds));
    if (current && aud === SESSION_AUDIENCE && typeof sub === 'string' && sub.length > 0) return sub;
  }
  throw new AppError('SESSION_INVALID', 'Your session is invalid or has expired; log in again.');
}

/** The scheme is case-insensitive and may be followed by several spaces (RFC 9110, section 11.1); the token is not. */
const bearer = /^Bearer +([A-Za-z0-9_.-]{10,1024})$/i;

/** The openid of the request's `Authorization: Bearer <session token>`; throws SESSION_INVALID. */
export function sessionOpenid(key: KeyObject, authorization: string | undefined, nowMs: number): string {
  const match = bearer.exec(authorization ?? '');
  if (match === null) throw new AppError('SESSION_INVALID', 'Log in first: send "Authorization: Bearer <session_token>".');
  return verifySessionToken(key, match[1], nowMs);
}

/** Like `sessionOpenid` but undefined when there is no (valid) session: for views that merely personalise. */
export function optionalSessionOpenid(key: KeyObject, authorization: string | undefined, nowMs: number): string | undefined {
  if (authorization === undefined) return undefined;
  try {
    return sessionOpenid(key, authorization, nowMs);
  } catch {
    return undefined;
  }
}
