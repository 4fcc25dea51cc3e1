/**
 * WeChat Pay platform certificates (平台证书): the keys WeChat Pay signed with before the public
 * key, and beside it during WeChat's switch. `GET /v3/certificates` lists them, each encrypted
 * with the merchant's APIv3 key; only WeChat and the merchant know that key, so a certificate
 * that decrypts (AEAD_AES_256_GCM authenticates it) came from WeChat.
 */
import crypto, { type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { decryptResource } from './aead';
import { RESOURCE_ALGORITHM } from './consts';
import { WechatPayError } from './errors';

/** A platform certificate as kept: its serial, its public key and when it is valid. */
export interface PlatformCertificate {
  /** `serial_no` as WeChat writes it (upper-case hex), which `Wechatpay-Serial` names. */
  serial: string;
  publicKey: KeyObject;
  /** Epoch ms, from the certificate itself. */
  notBefore: number;
  notAfter: number;
  /** The certificate in PEM, as WeChat encrypted it. */
  pem: string;
}

const wireCertificates = z.object({
  data: z.array(
    z.object({
      serial_no: z.string().min(1).max(64),
      effective_time: z.string().optional(),
      expire_time: z.string().optional(),
      encrypt_certificate: z.object({
        algorithm: z.string(),
        nonce: z.string(),
        associated_data: z.string().optional(),
        ciphertext: z.string(),
      }),
    }),
  ),
});

/** The encrypted certificates of a `/v3/certificates` answer, undefined when it does not have that shape. */
export function readEncryptedCertificates(value: unknown): z.infer<typeof wireCertificates>['data'] | undefined {
  const parsed = wireCertificates.safeParse(value);
  return parsed.success ? parsed.data.data : undefined;
}

/** Serials compared as numbers written in hex: case and leading zeros do not matter. */
export function sameSerial(a: string, b: string): boolean {
  const normal = (serial: string): string => serial.toUpperCase().replace(/^0+(?=.)/, '');
  return normal(a) === normal(b);
}

/**
 * Decrypts and checks one encrypted certificate: it must decrypt with the APIv3 key, be an
 * X.509 certificate with an RSA key, and carry the serial the list names. Its validity comes
 * from the certificate, not from the list's `effective_time`/`expire_time`.
 */
export function decryptCertificate(entry: { serial_no: string; encrypt_certificate: { algorithm: string; nonce: string; associated_data?: string | undefined; ciphertext: string } }, apiV3Key: Buffer): PlatformCertificate {
  const encrypted = entry.encrypt_certificate;
  if (encrypted.algorithm !== RESOURCE_ALGORITHM) throw new WechatPayError('RESPONSE_MALFORMED', `certificate ${entry.serial_no} uses ${encrypted.algorithm}, not ${RESOURCE_ALGORITHM}`);
  const pem = decryptResource({ ciphertext: encrypted.ciphertext, nonce: encrypted.nonce, associatedData: encrypted.associated_data ?? '' }, apiV3Key);
  let certificate: crypto.X509Certificate;
  try {
    certificate = new crypto.X509Certificate(pem);
  } catch {
    throw new WechatPayError('RESPONSE_MALFORMED', `certificate ${entry.serial_no} is not an X.509 certificate`);
  }
  if (!sameSerial(certificate.serialNumber, entry.serial_no)) {
    throw new WechatPayError('RESPONSE_MALFORMED', `certificate listed as ${entry.serial_no} has serial ${certificate.serialNumber}`);
  }
  if (certificate.publicKey.asymmetricKeyType !== 'rsa') throw new WechatPayError('RESPONSE_MALFORMED', `certificate ${entry.serial_no} does not hold an RSA key`);
  const notBefore = Date.parse(certificate.validFrom);
  const notAfter = Date.parse(certificate.validTo);
  if (Number.isNaN(notBefore) || Number.isNaN(notAfter)) throw new WechatPayError('RESPONSE_MALFORMED', `certificate ${entry.serial_no} has no readable validity`);
  return { serial: entry.serial_no.toUpperCase(), publicKey: certificate.publicKey, notBefore, notAfter, pem };
}

/** Decrypts every certificate of a `/v3/certificates` answer; throws on the first that fails. */
export function decryptCertificates(value: unknown, apiV3Key: Buffer): PlatformCertificate[] {
  const entries = readEncryptedCertificates(value);
  if (entries === undefined) throw new WechatPayError('RESPONSE_MALFORMED', "WeChat Pay's answer to the certificate download does not have the documented shape");
  return entries.map((entry) => decryptCertificate(entry, apiV3Key));
}

/** True when `now` (epoch ms) is within the certificate's validity. */
export function isCertificateValid(certificate: Pick<PlatformCertificate, 'notBefore' | 'notAfter'>, now: number): boolean {
  return certificate.notBefore <= now && now <= certificate.notAfter;
}
