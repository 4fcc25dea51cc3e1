/** Where new identifiers come from; injected so tests can make them predictable. */
import crypto from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/**
 * Random bytes drawn from one buffer refilled 4 KiB at a time: a `crypto.randomBytes` call per id
 * cost more than the rest of making it, and every write makes several ids. The bytes are the
 * same CSPRNG's; each is used once.
 */
const pool = Buffer.alloc(4096);
let poolAt = pool.length;

function randomByte(): number {
  if (poolAt === pool.length) {
    crypto.randomFillSync(pool);
    poolAt = 0;
  }
  return pool[poolAt++] ?? 0;
}

/** Random base62 text of `length` characters, without modulo bias. */
export function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    const byte = randomByte();
    // 248 = 62 * 4: bytes above it would favour the first letters.
    if (byte < 248) out += ALPHABET[byte % 62];
  }
  return out;
}

/** Characters of base62 time in a time-ordered id: milliseconds until the year 8900. */
const TIME_CHARS = 8;

/** `ms` as fixed-width base62: in ALPHABET's order (that of the bytes) the text sorts as the number does. */
function base62Time(ms: number): string {
  let out = '';
  let rest = Math.max(0, Math.floor(ms));
  for (let i = 0; i < TIME_CHARS; i++) {
    out = ALPHABET[rest % 62] + out;
    rest = Math.floor(rest / 62);
  }
  return out;
}

/** Makes identifiers like `ord_3kTq9...`. */
export interface IdSource {
  newId(prefix: string, length?: number): string;
  /**
   * An id that sorts after those made earlier (`at`, epoch ms, then random): for rows written
   * in bulk and never a capability, such as webhook events. Each new key lands at the end of
   * its index rather than on a random page, so a commit of many writes many fewer pages.
   */
  newTimeOrderedId(prefix: string, at: number): string;
}

/** Cryptographically random identifiers: link ids are part of a capability, so they must be unguessable. */
export const randomIds: IdSource = {
  newId: (prefix, length = 16) => `${prefix}_${randomBase62(length)}`,
  newTimeOrderedId: (prefix, at) => `${prefix}_${base62Time(at)}${randomBase62(8)}`,
};
