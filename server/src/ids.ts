/** Where new identifiers come from; injected so tests can make them predictable. */
import crypto from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Random base62 text of `length` characters, without modulo bias. */
export function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of crypto.randomBytes(length * 2)) {
      // 248 = 62 * 4: bytes above it would favour the first letters.
      if (byte < 248 && out.length < length) out += ALPHABET[byte % 62];
    }
  }
  return out;
}

/** Makes identifiers like `ord_3kTq9...`. */
export interface IdSource {
  newId(prefix: string, length?: number): string;
}

/** Cryptographically random identifiers: link ids are part of a capability, so they must be unguessable. */
export const randomIds: IdSource = {
  newId: (prefix, length = 16) => `${prefix}_${randomBase62(length)}`,
};
