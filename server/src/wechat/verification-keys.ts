/**
 * The keys that verify WeChat Pay: the WeChat Pay public key (its `PUB_KEY_ID_...` serial)
 * and/or platform certificates (their certificate serials), chosen by `Wechatpay-Serial`.
 * Certificates are downloaded when a serial we do not know arrives and again before the ones
 * kept expire, never more than once a minute, so forged serials cannot make us hammer WeChat.
 * A serial still unknown after a download is refused.
 */
import type { Clock } from '../clock';
import {
  CERTIFICATE_EXPIRY_MARGIN_MS,
  CERTIFICATE_MIN_REFRESH_MS,
  CERTIFICATE_REFRESH_EVERY_MS,
} from './consts';
import { WechatPayError } from './errors';
import { isCertificateValid, type PlatformCertificate } from './platform-certificates';
import { loadPublicKey, verifyRsaSignature, type PublicKeyInput, type Verifier } from './verifier';

/** A certificate as a caller may look at it (no key object). */
export interface CertificateInfo {
  serial: string;
  notBefore: number;
  notAfter: number;
}

/** The verification keys of one merchant. */
export interface VerificationKeys extends Verifier {
  /** Downloads certificates when `serial` is new (at most once a minute) and starts a due refresh. */
  ensure(serial: string): Promise<void>;
  /** Downloads the platform certificates now (one download at a time) and keeps what WeChat lists. */
  refreshCertificates(): Promise<readonly CertificateInfo[]>;
  /** The certificates kept now. */
  certificates(): readonly CertificateInfo[];
  /** True when certificates verify (no public key is configured, or a certificate's serial has arrived). */
  usesCertificates(): boolean;
  /** Why the last download failed, while it is the latest word. */
  lastRefreshError(): string | undefined;
  /** A verifier over these keys and `extra`: the certificate download's answer may be signed by a certificate it brings. */
  withCertificates(extra: readonly PlatformCertificate[]): Verifier;
}

/** What the keys are made of. */
export interface VerificationKeysOptions {
  /** The WeChat Pay public key and its `PUB_KEY_ID_...` id; without it, certificates alone verify. */
  publicKey?: { id: string; key: PublicKeyInput } | undefined;
  /** Further public keys by serial (e.g. a key rotation of the public key). */
  extraPublicKeys?: Readonly<Record<string, PublicKeyInput>> | undefined;
  clock: Clock;
  /** Downloads and decrypts `/v3/certificates`. */
  download: () => Promise<PlatformCertificate[]>;
}

/** A download is due at most hourly when every kept certificate is about to expire. */
const EXPIRY_RETRY_MS = 60 * 60 * 1000;

/** Creates the verification keys; certificates are downloaded on first need. */
export function createVerificationKeys(options: VerificationKeysOptions): VerificationKeys {
  const { clock } = options;
  const publicKeys = new Map(Object.entries(options.extraPublicKeys ?? {}).map(([serial, key]) => [serial, loadPublicKey(key)]));
  if (options.publicKey !== undefined) publicKeys.set(options.publicKey.id, loadPublicKey(options.publicKey.key));
  let certificates = new Map<string, PlatformCertificate>();
  let certificatesWanted = publicKeys.size === 0;
  let lastAttemptAt: number | undefined;
  let lastSuccessAt: number | undefined;
  let lastError: string | undefined;
  let inFlight: Promise<readonly CertificateInfo[]> | undefined;

  const info = (certificate: PlatformCertificate): CertificateInfo => ({ serial: certificate.serial, notBefore: certificate.notBefore, notAfter: certificate.notAfter });
  const known = (serial: string): boolean => publicKeys.has(serial) || certificates.has(serial.toUpperCase());

  function verifyWith(found: Map<string, PlatformCertificate>, serial: string, message: string, signature: string): void {
    const publicKey = publicKeys.get(serial);
    if (publicKey !== undefined) return verifyRsaSignature(publicKey, message, signature);
    const certificate = found.get(serial.toUpperCase());
    if (certificate === undefined) throw new WechatPayError('SERIAL_UNKNOWN', 'signed by a key whose serial we do not know');
    if (!isCertificateValid(certificate, clock.now())) throw new WechatPayError('CERTIFICATE_EXPIRED', 'signed by a platform certificate outside its validity');
    verifyRsaSignature(certificate.publicKey, message, signature);
  }

  function refresh(): Promise<readonly CertificateInfo[]> {
    inFlight ??= (async () => {
      lastAttemptAt = clock.now();
      try {
        const downloaded = await options.download();
        const now = clock.now();
        // What WeChat lists now is the truth: a certificate it stopped listing verifies nothing more.
        certificates = new Map(downloaded.filter((certificate) => certificate.notAfter > now).map((certificate) => [certificate.serial.toUpperCase(), certificate]));
        lastSuccessAt = now;
        lastError = undefined;
        return [...certificates.values()].map(info);
      } catch (error: unknown) {
        lastError = error instanceof WechatPayError ? `${error.code}: ${error.message}` : error instanceof Error ? error.message : String(error);
        throw error;
      } finally {
        inFlight = undefined;
      }
    })();
    return inFlight;
  }

  function refreshDue(now: number): boolean {
    if (!certificatesWanted) return false;
    if (lastAttemptAt !== undefined && now - lastAttemptAt < CERTIFICATE_MIN_REFRESH_MS) return false;
    if (lastSuccessAt === undefined || now - lastSuccessAt >= CERTIFICATE_REFRESH_EVERY_MS) return true;
    const newest = Math.max(0, ...[...certificates.values()].map((certificate) => certificate.notAfter));
    return newest - now <= CERTIFICATE_EXPIRY_MARGIN_MS && (lastAttemptAt === undefined || now - lastAttemptAt >= EXPIRY_RETRY_MS);
  }

  return {
    verify(serial, message, signature) {
      verifyWith(certificates, serial, message, signature);
    },
    async ensure(serial) {
      const now = clock.now();
      if (known(serial)) {
        // Fresh certificates are fetched beside the work, not in its way.
        if (refreshDue(now)) refresh().catch(() => undefined);
        return;
      }
      certificatesWanted = true;
      if (inFlight !== undefined) {
        await inFlight.catch(() => undefined);
        return;
      }
      if (lastAttemptAt !== undefined && now - lastAttemptAt < CERTIFICATE_MIN_REFRESH_MS) return;
      // A failed download is remembered (lastRefreshError); the serial then stays unknown and is refused.
      await refresh().catch(() => undefined);
    },
    refreshCertificates() {
      certificatesWanted = true;
      return refresh();
    },
    certificates: () => [...certificates.values()].map(info),
    usesCertificates: () => certificatesWanted,
    lastRefreshError: () => lastError,
    withCertificates(extra) {
      const merged = new Map(certificates);
      for (const certificate of extra) merged.set(certificate.serial.toUpperCase(), certificate);
      return { verify: (serial, message, signature) => verifyWith(merged, serial, message, signature) };
    },
  };
}
