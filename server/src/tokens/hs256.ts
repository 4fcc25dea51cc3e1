/**
 * Verification of the HS256 JWTs we sign ourselves (link and session tokens), on the friend's hot
 * path. jsonwebtoken signs them; this checks them in one HMAC and two small JSON parses, where
 * `jwt.verify` decodes the token three times and validates its options on every call (about
 * 25 µs of a 230 µs friend view in the benchmark's CPU profile). Only what we issue passes:
 * exactly three base64url parts, `alg` HS256 pinned before any key is chosen, a canonical
 * signature compared in constant time, and a JSON object payload.
 */
import crypto, { type KeyObject } from 'node:crypto';

/** A JWT's decoded header and payload, both JSON objects. */
export interface Hs256Parts {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
}

const segment = /^[A-Za-z0-9_-]+$/;

function decodeObject(part: string): Record<string, unknown> | undefined {
  if (!segment.test(part)) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The header and payload of `token` if it is an HS256 JWT whose signature verifies under the key
 * `keyFor` returns for its header (undefined there refuses it); undefined for anything else.
 * Claims (`aud`, `exp`, ...) are the caller's to check.
 */
export function verifyHs256(token: string, keyFor: (header: Record<string, unknown>) => KeyObject | undefined): Hs256Parts | undefined {
  const first = token.indexOf('.');
  const second = token.indexOf('.', first + 1);
  if (first <= 0 || second <= first + 1 || token.indexOf('.', second + 1) !== -1) return undefined;
  const header = decodeObject(token.slice(0, first));
  // Pinned before a key is looked up: `none` and RS256-with-an-HMAC-key confusion end here.
  if (header === undefined || header.alg !== 'HS256') return undefined;
  const key = keyFor(header);
  if (key === undefined) return undefined;
  const signature = token.slice(second + 1);
  const expected = crypto.createHmac('sha256', key).update(token.slice(0, second)).digest();
  const given = Buffer.from(signature, 'base64url');
  // Base64url decoding forgives stray characters and trailing bits: accept only the one spelling.
  if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected) || given.toString('base64url') !== signature) return undefined;
  const payload = decodeObject(token.slice(first + 1, second));
  return payload === undefined ? undefined : { header, payload };
}
