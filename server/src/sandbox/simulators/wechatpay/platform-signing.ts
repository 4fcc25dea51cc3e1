// The keys the WeChat Pay simulator signs answers and notifications with: the WeChat Pay public
// key's private half (serial `PUB_KEY_ID_...`), and platform certificates (their serials) that
// rotate the way WeChat's do: a successor is issued while the old one is still valid, and signs
// from then on. During WeChat's switch a merchant gets either; the `random` choice plays that.
import crypto from 'node:crypto';
import type { Clock } from '../../../clock';
import { createRsaSigner, type Signer } from '../../../wechat/signer';
import type { SandboxWechatKeys } from '../sandbox-keys';
import type { SigningChoice } from './faults';
import { createCertificatePem } from './x509';


/** A platform certificate the simulator holds (its private key stays inside). */
export interface SimulatedCertificate {
  /** Upper-case hex, the `serial_no` and `Wechatpay-Serial`. */
  serial: string;
  notBefore: number;
  notAfter: number;
  pem: string;
}

/** The simulator's signing keys. */
export interface PlatformSigning {
  /** The key that signs one answer or notification. */
  pick(choice: SigningChoice): { serial: string; signer: Signer };
  /** The certificates WeChat lists now (valid now), oldest first. */
  listed(): readonly SimulatedCertificate[];
  /** Issues a successor certificate, which signs from now on; the others keep their validity. */
  rotate(): SimulatedCertificate;
}

/** Five years, as WeChat's platform certificates. */
export const DEFAULT_CERTIFICATE_LIFETIME_MS = 5 * 365 * 24 * 60 * 60 * 1000;

interface HeldCertificate extends SimulatedCertificate {
  signer: Signer;
}

function newSerial(): string {
  const bytes = crypto.randomBytes(20);
  // A first byte of 0x10-0x7f: positive, and no leading zero for anyone to drop.
  bytes[0] = 0x10 + ((bytes[0] ?? 0) % 0x70);
  return bytes.toString('hex').toUpperCase();
}

/** Creates the signing keys; certificates are made on first need (an RSA key costs about 0.1 s). */
export function createPlatformSigning(options: { clock: Clock; keys: SandboxWechatKeys; certificateLifetimeMs?: number; random?: () => number }): PlatformSigning {
  const { clock, keys } = options;
  const lifetime = options.certificateLifetimeMs ?? DEFAULT_CERTIFICATE_LIFETIME_MS;
  const random = options.random ?? Math.random;
  const publicKeySigner = createRsaSigner(keys.platform.privateKeyPem);
  const certificates: HeldCertificate[] = [];

  function issue(): HeldCertificate {
    const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    const now = clock.now();
    const serial = newSerial();
    // Certificates keep whole seconds.
    const notBefore = Math.floor((now - 60_000) / 1000) * 1000;
    const notAfter = Math.floor((now + lifetime) / 1000) * 1000;
    const pem = createCertificatePem(
      { serialHex: serial, subject: { country: 'CN', organization: 'Tenpay.com (Friend Pay sandbox)', commonName: `WeChat Pay platform certificate ${keys.mchId}` }, notBefore, notAfter, publicKey },
      privateKey,
    );
    const held: HeldCertificate = { serial, notBefore, notAfter, pem, signer: createRsaSigner(privateKey) };
    certificates.push(held);
    return held;
  }

  const valid = (now: number): HeldCertificate[] => certificates.filter((c) => c.notBefore <= now && now <= c.notAfter);

  /** The newest valid certificate; a successor is issued when it enters the last quarter of its life, as WeChat renews ahead. */
  function current(): HeldCertificate {
    const now = clock.now();
    const newest = valid(now).at(-1);
    if (newest === undefined || newest.notAfter - now < lifetime / 4) return issue();
    return newest;
  }

  const view = (c: HeldCertificate): SimulatedCertificate => Object.freeze({ serial: c.serial, notBefore: c.notBefore, notAfter: c.notAfter, pem: c.pem });

  return {
    pick(choice) {
      const useCertificate = choice === 'certificate' || (choice === 'random' && random() < 0.5);
      if (!useCertificate) return { serial: keys.platform.publicKeyId, signer: publicKeySigner };
      const certificate = current();
      return { serial: certificate.serial, signer: certificate.signer };
    },
    listed() {
      current();
      return valid(clock.now()).map(view);
    },
    rotate() {
      return view(issue());
    },
  };
}
