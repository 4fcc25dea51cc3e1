import crypto from 'node:crypto';
import fc from 'fast-check';
import jwt from 'jsonwebtoken';
import { describe, expect, it } from 'vitest';
import { classifyLinkRef } from '../../shared/link-ref';
import { maskName } from '../../shared/mask';
import { formatYuan, sumItems } from '../../shared/money';
import { findDuplicateKey } from '../../server/src/http/json-guard';
import { signLinkCode, verifyLinkCode } from '../../server/src/links/link-code';
import { createLinkKeyring } from '../../server/src/tokens/link-keys';
import { verifyHs256 } from '../../server/src/tokens/hs256';
import { signLinkToken, verifyLinkToken } from '../../server/src/links/link-token';

const keyring = createLinkKeyring([{ kid: 'k1', secret: crypto.randomBytes(32) }]);
const otherKeyring = createLinkKeyring([{ kid: 'k1', secret: crypto.randomBytes(32) }]);
const base62 = fc.stringMatching(/^[0-9A-Za-z]{12}$/);
const linkId = base62.map((s) => `lnk_${s}`);
const orderId = fc.stringMatching(/^[0-9A-Za-z]{16}$/).map((s) => `ord_${s}`);
const now = Date.UTC(2026, 10, 21);

/** Replaces one character of `text` at `index` with a different one of the same alphabet. */
function mutate(text: string, index: number, pick: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.';
  const at = index % text.length;
  let replacement = alphabet[pick % alphabet.length];
  if (replacement === text[at]) replacement = alphabet[(pick + 1) % alphabet.length]!;
  return text.slice(0, at) + replacement + text.slice(at + 1);
}

describe('link token and code codecs (properties)', () => {
  it('verifies every token it signs, to the same claims, and no token after any one-character change', () => {
    fc.assert(fc.property(linkId, orderId, fc.integer({ min: 60, max: 7 * 24 * 3600 }), fc.nat(), fc.nat(), (lid, oid, ttl, index, pick) => {
      const expiresAt = now + ttl * 1000;
      const token = signLinkToken(keyring, { linkId: lid, orderId: oid, expiresAt }, now);
      expect(verifyLinkToken(keyring, token, now)).toEqual({ linkId: lid, orderId: oid, expiresAt: Math.floor(expiresAt / 1000) * 1000 });
      expect(classifyLinkRef(token)).toBe('token');
      expect(verifyLinkToken(otherKeyring, token, now)).toBeUndefined();
      expect(verifyLinkToken(keyring, mutate(token, index, pick), now)).toBeUndefined();
    }), { numRuns: 300 });
  });

  it('verifies every code it signs (32 characters at most), and no code after any one-character change', () => {
    fc.assert(fc.property(linkId, fc.nat(), fc.nat(), (lid, index, pick) => {
      const code = signLinkCode(keyring, lid);
      expect(code.length).toBeLessThanOrEqual(32);
      expect(code).toMatch(/^[0-9A-Za-z._-]+$/);
      expect(classifyLinkRef(code)).toBe('code');
      expect(verifyLinkCode(keyring, code)).toBe(lid);
      expect(verifyLinkCode(otherKeyring, code)).toBeUndefined();
      const changed = mutate(code, index, pick);
      expect(verifyLinkCode(keyring, changed)).toBeUndefined();
    }), { numRuns: 500 });
  });

  it('accepts a token exactly when jsonwebtoken does (our HS256 check of the hot path)', () => {
    const key = keyring.signing.tokenKey;
    const segment = (value: unknown): string => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
    const headers = fc.constantFrom<unknown>({ alg: 'HS256', typ: 'JWT' }, { alg: 'HS256' }, { alg: 'none' }, { alg: 'HS512' }, { alg: 'hs256' }, [], 'HS256', null, 'not json');
    const payloads = fc.oneof(fc.record({ sub: fc.string(), aud: fc.string() }), fc.constantFrom<unknown>({}, [], 42, 'text', null, '{"a":1}'));
    fc.assert(fc.property(headers, payloads, fc.boolean(), fc.nat(), fc.nat(), fc.constantFrom('', '=', ' ', '.x'), (header, payload, signed, index, pick, suffix) => {
      const body = `${segment(header)}.${segment(payload)}`;
      const mac = crypto.createHmac('sha256', key).update(body).digest('base64url');
      const token = (signed ? `${body}.${mac}` : mutate(`${body}.${mac}`, index, pick)) + suffix;
      let library: boolean;
      try {
        jwt.verify(token, key, { algorithms: ['HS256'] });
        library = true;
      } catch {
        library = false;
      }
      // jsonwebtoken takes any JSON payload and non-canonical base64; we take only objects, spelled one way.
      const ours = verifyHs256(token, () => key) !== undefined;
      if (ours) expect(library).toBe(true);
      if (library && typeof payload === 'object' && payload !== null && !Array.isArray(payload) && suffix === '' && signed) expect(ours).toBe(true);
    }), { numRuns: 1000 });
  });

  it('never throws on arbitrary text, and accepts none of it', () => {
    fc.assert(fc.property(fc.string({ maxLength: 3000 }), (text) => {
      expect(verifyLinkToken(keyring, text, now)).toBeUndefined();
      expect(verifyLinkCode(keyring, text)).toBeUndefined();
    }), { numRuns: 500 });
  });
});

describe('money and masking (properties)', () => {
  it('formats any amount of fen as yuan that reads back to the same fen', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 50_000_000 }), (fen) => {
      const text = formatYuan(fen);
      expect(text).toMatch(/^¥\d{1,3}(,\d{3})*\.\d{2}$/);
      expect(Math.round(Number(text.slice(1).replaceAll(',', '')) * 100)).toBe(fen);
    }));
  });

  it('sums items exactly, in integers, whatever the order', () => {
    const item = fc.record({ quantity: fc.integer({ min: 1, max: 9999 }), unit_price: fc.integer({ min: 0, max: 5000 }) });
    fc.assert(fc.property(fc.array(item, { maxLength: 100 }), (items) => {
      const total = sumItems(items);
      expect(Number.isSafeInteger(total)).toBe(true);
      expect(sumItems([...items].reverse())).toBe(total);
    }));
  });

  it('never shows more than the first character of a name', () => {
    fc.assert(fc.property(fc.string({ minLength: 2, maxLength: 40 }).filter((s) => Array.from(s.trim()).length >= 2), (name) => {
      const masked = maskName(name);
      expect(Array.from(masked).slice(1).every((char) => char === '*')).toBe(true);
    }));
  });
});

describe('duplicate JSON keys (properties)', () => {
  it('finds no duplicate in JSON.stringify output and finds one when a key is repeated', () => {
    const key = fc.string({ minLength: 1, maxLength: 8 });
    fc.assert(fc.property(fc.dictionary(key, fc.jsonValue(), { minKeys: 1, maxKeys: 6 }), (object) => {
      const text = JSON.stringify(object);
      expect(findDuplicateKey(text)).toBeUndefined();
      const first = Object.keys(object)[0];
      const repeated = `${text.slice(0, -1)},${JSON.stringify(first)}:1}`;
      expect(findDuplicateKey(repeated)).toBe(first);
    }));
  });
});
