import crypto, { type KeyObject } from 'node:crypto';
import type { Clock } from '../clock';
import {
  HEADER_WECHATPAY_NONCE,
  HEADER_WECHATPAY_SERIAL,
  HEADER_WECHATPAY_SIGNATURE,
  HEADER_WECHATPAY_TIMESTAMP,
  MAX_CLOCK_SKEW_SECONDS,
  responseSignatureMessage,
} from './consts';
import { WechatPayError } from './errors';

/** Checks WeChat Pay signatures, choosing the public key by its serial. */
export interface Verifier {
  /**
   * Throws `WechatPayError` `SERIAL_UNKNOWN` when no key has `serial`, `SIGNATURE_INVALID`
   * when `signature` (base64) is not the key's signature of `message`.
   */
  verify(serial: string, message: string, signature: string): void;
  /**
   * Gets ready to verify a signature by `serial`: a verifier that can learn keys (platform
   * certificates) downloads them here when the serial is new to it. Verifiers with fixed keys
   * have no such step.
   */
  ensure?(serial: string): Promise<void>;
}

/** A PEM public key or an already loaded public KeyObject. */
export type PublicKeyInput = string | KeyObject;

/** Loads a public key once. */
export function loadPublicKey(key: PublicKeyInput): KeyObject {
  if (typeof key !== 'string') {
    if (key.type !== 'public') throw new TypeError('a public key is required');
    return key;
  }
  try {
    return crypto.createPublicKey(key);
  } catch {
    throw new TypeError('the public key is not a valid PEM public key');
  }
}

/** Throws `SIGNATURE_INVALID` unless `signature` (base64) is `key`'s SHA256withRSA signature of `message`. */
export function verifyRsaSignature(key: KeyObject, message: string, signature: string): void {
  const signatureBytes = Buffer.from(signature, 'base64');
  // Buffer.from ignores bad base64 characters; a re-encoding mismatch means the text was not canonical base64.
  if (signatureBytes.length === 0 || signatureBytes.toString('base64') !== signature) {
    throw new WechatPayError('SIGNATURE_INVALID', 'signature is not valid base64');
  }
  const valid = crypto.verify('sha256', Buffer.from(message, 'utf8'), key, signatureBytes);
  if (!valid) throw new WechatPayError('SIGNATURE_INVALID', 'signature does not match');
}

/**
 * A Verifier over WeChat Pay public keys by serial: in public-key mode the serial is the
 * key's `PUB_KEY_ID_...` id; platform certificates' serials work the same way.
 */
export function createPublicKeyVerifier(keys: Readonly<Record<string, PublicKeyInput>>): Verifier {
  const bySerial = new Map<string, KeyObject>(Object.entries(keys).map(([serial, key]) => [serial, loadPublicKey(key)]));
  return {
    verify(serial: string, message: string, signature: string): void {
      const key = bySerial.get(serial);
      if (key === undefined) throw new WechatPayError('SERIAL_UNKNOWN', 'signed by a key whose serial we do not know');
      verifyRsaSignature(key, message, signature);
    },
  };
}

/** The four `Wechatpay-*` signature headers of a response or notification. */
export interface WechatpaySignatureHeaders {
  timestamp: string;
  nonce: string;
  signature: string;
  serial: string;
}

/** Headers as Node (`IncomingHttpHeaders`) or fetch (`Headers`) give them. */
export type HeaderSource = Headers | Readonly<Record<string, string | readonly string[] | undefined>>;

/** Reads one header case-insensitively from either header shape. */
export function readHeader(headers: HeaderSource, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const wanted = name.toLowerCase();
  // Node's incoming headers are keyed in lower case already: look there before scanning.
  const direct = headers[wanted];
  if (direct !== undefined) return typeof direct === 'string' ? direct : direct[0];
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== wanted || value === undefined) continue;
    return typeof value === 'string' ? value : value[0];
  }
  return undefined;
}

/** Reads the signature headers; throws `SIGNATURE_MISSING` when any is absent or empty. */
export function readSignatureHeaders(headers: HeaderSource): WechatpaySignatureHeaders {
  const timestamp = readHeader(headers, HEADER_WECHATPAY_TIMESTAMP);
  const nonce = readHeader(headers, HEADER_WECHATPAY_NONCE);
  const signature = readHeader(headers, HEADER_WECHATPAY_SIGNATURE);
  const serial = readHeader(headers, HEADER_WECHATPAY_SERIAL);
  if (!timestamp || !nonce || !signature || !serial) {
    throw new WechatPayError('SIGNATURE_MISSING', 'Wechatpay-Timestamp, -Nonce, -Signature and -Serial headers are required');
  }
  return { timestamp, nonce, signature, serial };
}

/** True when `timestamp` (Unix seconds, as text) is within the allowed skew of `nowMs`. */
export function isTimestampFresh(timestamp: string, nowMs: number, maxSkewSeconds = MAX_CLOCK_SKEW_SECONDS): boolean {
  if (!/^\d{1,12}$/.test(timestamp)) return false;
  return Math.abs(Math.floor(nowMs / 1000) - Number(timestamp)) <= maxSkewSeconds;
}

/**
 * Verifies a signed WeChat Pay message (a response or a notification): reads the headers,
 * checks the signature over `timestamp\nnonce\nbody\n` with the key chosen by serial, then the
 * five-minute window against `clock`. Throws `WechatPayError` on the first failure.
 */
export function verifySignedBody(input: { headers: HeaderSource; body: string; verifier: Verifier; clock: Clock; maxSkewSeconds?: number }): WechatpaySignatureHeaders {
  const signed = readSignatureHeaders(input.headers);
  input.verifier.verify(signed.serial, responseSignatureMessage(signed.timestamp, signed.nonce, input.body), signed.signature);
  if (!isTimestampFresh(signed.timestamp, input.clock.now(), input.maxSkewSeconds)) {
    throw new WechatPayError('TIMESTAMP_OUT_OF_WINDOW', 'signature timestamp is more than five minutes away from our clock');
  }
  return signed;
}
