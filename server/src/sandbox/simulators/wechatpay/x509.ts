// A minimal X.509 certificate writer for the simulator's platform certificates: Node can read
// certificates (crypto.X509Certificate) but not make them. A v3 certificate without extensions,
// signed SHA256withRSA, in DER (ASN.1, ITU-T X.690) and then PEM.
import crypto, { type KeyObject } from 'node:crypto';

const SHA256_WITH_RSA = '1.2.840.113549.1.1.11';
const COMMON_NAME = '2.5.4.3';
const ORGANIZATION = '2.5.4.10';
const COUNTRY = '2.5.4.6';

function length(bytes: number): Buffer {
  if (bytes < 0x80) return Buffer.from([bytes]);
  const digits: number[] = [];
  for (let rest = bytes; rest > 0; rest = Math.floor(rest / 256)) digits.unshift(rest % 256);
  return Buffer.from([0x80 | digits.length, ...digits]);
}

function tlv(tag: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), length(content.length), content]);
}

const sequence = (...items: Buffer[]): Buffer => tlv(0x30, Buffer.concat(items));
const set = (...items: Buffer[]): Buffer => tlv(0x31, Buffer.concat(items));
const nullValue = (): Buffer => Buffer.from([0x05, 0x00]);
const utf8 = (text: string): Buffer => tlv(0x0c, Buffer.from(text, 'utf8'));
const printable = (text: string): Buffer => tlv(0x13, Buffer.from(text, 'ascii'));
const bitString = (bytes: Buffer): Buffer => tlv(0x03, Buffer.concat([Buffer.from([0]), bytes]));

function integer(bytes: Buffer): Buffer {
  // A leading 1 bit would make it negative.
  return tlv(0x02, (bytes[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes);
}

function objectId(dotted: string): Buffer {
  const [first = 0, second = 0, ...rest] = dotted.split('.').map(Number);
  const out = [first * 40 + second];
  for (const arc of rest) {
    const base128: number[] = [];
    for (let value = arc; ; value = Math.floor(value / 128)) {
      base128.unshift((value % 128) | (base128.length > 0 ? 0x80 : 0));
      if (value < 128) break;
    }
    out.push(...base128);
  }
  return tlv(0x06, Buffer.from(out));
}

/** UTCTime through 2049, GeneralizedTime after (RFC 5280, 4.1.2.5). */
function time(epochMs: number): Buffer {
  const iso = new Date(Math.floor(epochMs / 1000) * 1000).toISOString();
  const digits = iso.replace(/[-:T]/g, '').slice(0, 14);
  const year = Number(iso.slice(0, 4));
  return year < 2050 ? tlv(0x17, Buffer.from(`${digits.slice(2)}Z`, 'ascii')) : tlv(0x18, Buffer.from(`${digits}Z`, 'ascii'));
}

function name(parts: { country: string; organization: string; commonName: string }): Buffer {
  return sequence(
    set(sequence(objectId(COUNTRY), printable(parts.country))),
    set(sequence(objectId(ORGANIZATION), utf8(parts.organization))),
    set(sequence(objectId(COMMON_NAME), utf8(parts.commonName))),
  );
}

/** What the certificate says. */
export interface CertificateFields {
  /** Upper-case hex, as WeChat writes `serial_no`. */
  serialHex: string;
  subject: { country: string; organization: string; commonName: string };
  notBefore: number;
  notAfter: number;
  publicKey: KeyObject;
}

/** A self-signed certificate of `fields.publicKey`, signed by `privateKey`, in PEM. */
export function createCertificatePem(fields: CertificateFields, privateKey: KeyObject): string {
  const algorithm = sequence(objectId(SHA256_WITH_RSA), nullValue());
  const tbs = sequence(
    tlv(0xa0, integer(Buffer.from([2]))), // [0] EXPLICIT version: v3
    integer(Buffer.from(fields.serialHex, 'hex')),
    algorithm,
    name(fields.subject),
    sequence(time(fields.notBefore), time(fields.notAfter)),
    name(fields.subject),
    fields.publicKey.export({ type: 'spki', format: 'der' }),
  );
  const signature = crypto.sign('sha256', tbs, privateKey);
  const der = sequence(tbs, algorithm, bitString(signature));
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}
