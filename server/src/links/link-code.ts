/**
 * The code encoding of a link (docs/architecture.md, "Links"): `<linkId>.<mac>`, at most 32 characters of
 * `[0-9A-Za-z._-]`, so it fits a mini program code's `scene`. The MAC is HMAC-SHA256 of the
 * link id, truncated to the room left (about 90 bits for our 16-character ids).
 */
import crypto from 'node:crypto';
import { MAX_CODE_LENGTH } from '../../../shared/link-ref';
import type { LinkKey, LinkKeyring } from '../tokens/link-keys';

const codePattern = /^([A-Za-z0-9_]{1,24})\.([A-Za-z0-9_-]{12,24})$/;
/** Fewer MAC characters than this (72 bits) would be guessable; ids are kept short to leave room. */
const MIN_MAC_LENGTH = 12;

function macOf(key: LinkKey, linkId: string, length: number): string {
  return crypto.createHmac('sha256', key.codeKey).update(linkId).digest('base64url').slice(0, length);
}

/** Makes the code for a link id with the newest key. */
export function signLinkCode(keyring: LinkKeyring, linkId: string): string {
  const macLength = MAX_CODE_LENGTH - linkId.length - 1;
  if (macLength < MIN_MAC_LENGTH) throw new Error(`link id ${linkId.length} characters long leaves too little room for a MAC`);
  return `${linkId}.${macOf(keyring.signing, linkId, macLength)}`;
}

/** The link id a code names, if its MAC verifies under any configured key; undefined otherwise. */
export function verifyLinkCode(keyring: LinkKeyring, code: string): string | undefined {
  if (code.length > MAX_CODE_LENGTH) return undefined;
  const match = codePattern.exec(code);
  if (match === null) return undefined;
  const [, linkId, mac] = match as unknown as [string, string, string];
  const given = Buffer.from(mac);
  for (const key of keyring.all) {
    const expected = Buffer.from(macOf(key, linkId, mac.length));
    // Constant-time compare; the lengths are equal by construction.
    if (mac.length === MAX_CODE_LENGTH - linkId.length - 1 && crypto.timingSafeEqual(given, expected)) return linkId;
  }
  return undefined;
}
