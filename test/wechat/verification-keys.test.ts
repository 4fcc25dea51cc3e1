// The verification keys alone: which key a serial picks, when certificates are downloaded (an
// unknown serial, at most once a minute; before the kept ones expire) and what is refused.
import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AdjustableClock } from '../../server/src/clock';
import { createCertificatePem } from '../../server/src/sandbox/simulators/wechatpay/x509';
import { WechatPayError } from '../../server/src/wechat/errors';
import type { PlatformCertificate } from '../../server/src/wechat/platform-certificates';
import { createVerificationKeys } from '../../server/src/wechat/verification-keys';

const DAY = 24 * 60 * 60 * 1000;
const publicKeyPair = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const PUBLIC_KEY_ID = 'PUB_KEY_ID_0114232019112100397700000001';

/** A platform certificate of a fresh key, valid from `notBefore` for `lifetime`. */
function certificate(serial: string, notBefore: number, lifetime: number): { certificate: PlatformCertificate; privateKey: crypto.KeyObject } {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = createCertificatePem({ serialHex: serial, subject: { country: 'CN', organization: 'test', commonName: serial }, notBefore, notAfter: notBefore + lifetime, publicKey }, privateKey);
  return { certificate: { serial, publicKey, notBefore: Math.floor(notBefore / 1000) * 1000, notAfter: Math.floor((notBefore + lifetime) / 1000) * 1000, pem }, privateKey };
}

const sign = (key: crypto.KeyObject, message: string): string => crypto.sign('sha256', Buffer.from(message), key).toString('base64');

function codeOf(run: () => void): string | undefined {
  try {
    run();
  } catch (error: unknown) {
    return error instanceof WechatPayError ? error.code : String(error);
  }
  return undefined;
}

describe('WeChat Pay verification keys', () => {
  const start = Date.parse('2026-12-01T00:00:00Z');
  const a = certificate('5157F09EFDC096DE15EBE81A47057A7232F1B8E1', start - DAY, 10 * DAY);
  const b = certificate('6A1B2C3D4E5F60718293A4B5C6D7E8F901234567', start, 20 * DAY);

  function setUp(options: { publicKey?: boolean; lists?: () => PlatformCertificate[] } = {}) {
    const clock = new AdjustableClock({ now: () => start });
    let downloads = 0;
    let lists = options.lists ?? (() => [a.certificate]);
    const keys = createVerificationKeys({
      ...(options.publicKey === false ? {} : { publicKey: { id: PUBLIC_KEY_ID, key: publicKeyPair.publicKey } }),
      clock,
      download: () => {
        downloads += 1;
        return Promise.resolve(lists());
      },
    });
    return { clock, keys, downloads: () => downloads, willList: (next: () => PlatformCertificate[]) => (lists = next) };
  }

  it('verifies the public key by its PUB_KEY_ID serial without downloading anything', async () => {
    const { keys, downloads } = setUp();
    await keys.ensure(PUBLIC_KEY_ID);
    expect(codeOf(() => keys.verify(PUBLIC_KEY_ID, 'm', sign(publicKeyPair.privateKey, 'm')))).toBeUndefined();
    expect(codeOf(() => keys.verify(PUBLIC_KEY_ID, 'm', sign(a.privateKey, 'm')))).toBe('SIGNATURE_INVALID');
    expect(downloads()).toBe(0);
    expect(keys.usesCertificates()).toBe(false);
  });

  it('downloads certificates when a certificate serial first arrives, then verifies by it beside the public key', async () => {
    const { keys, downloads } = setUp();
    await keys.ensure(a.certificate.serial.toLowerCase());
    expect(codeOf(() => keys.verify(a.certificate.serial, 'm', sign(a.privateKey, 'm')))).toBeUndefined();
    expect(codeOf(() => keys.verify(PUBLIC_KEY_ID, 'm', sign(publicKeyPair.privateKey, 'm')))).toBeUndefined();
    expect(codeOf(() => keys.verify(a.certificate.serial, 'm', sign(publicKeyPair.privateKey, 'm')))).toBe('SIGNATURE_INVALID');
    expect(downloads()).toBe(1);
    expect(keys.usesCertificates()).toBe(true);
  });

  it('refuses a serial still unknown after a download, and downloads again for one at most once a minute', async () => {
    const { clock, keys, downloads, willList } = setUp();
    await keys.ensure('0BADBADBAD');
    await keys.ensure('0BADBADBAD');
    await keys.ensure('0BADBADBAD');
    expect(codeOf(() => keys.verify('0BADBADBAD', 'm', sign(a.privateKey, 'm')))).toBe('SERIAL_UNKNOWN');
    expect(downloads()).toBe(1);

    willList(() => [a.certificate, b.certificate]);
    await keys.ensure(b.certificate.serial);
    expect(codeOf(() => keys.verify(b.certificate.serial, 'm', sign(b.privateKey, 'm')))).toBe('SERIAL_UNKNOWN');
    clock.advance(61);
    await keys.ensure(b.certificate.serial);
    expect(codeOf(() => keys.verify(b.certificate.serial, 'm', sign(b.privateKey, 'm')))).toBeUndefined();
    expect(downloads()).toBe(2);
  });

  it('makes one download of many serials arriving together', async () => {
    const { keys, downloads } = setUp({ publicKey: false });
    await Promise.all(Array.from({ length: 20 }, (_, index) => keys.ensure(index % 2 === 0 ? a.certificate.serial : 'UNKNOWN')));
    expect(downloads()).toBe(1);
  });

  it('refuses a certificate outside its validity', async () => {
    const { clock, keys } = setUp({ publicKey: false });
    await keys.ensure(a.certificate.serial);
    clock.advance((9 * DAY + 1000) / 1000);
    expect(codeOf(() => keys.verify(a.certificate.serial, 'm', sign(a.privateKey, 'm')))).toBe('CERTIFICATE_EXPIRED');
  });

  it('downloads again before the kept certificates expire, beside the work, and forgets one WeChat no longer lists', async () => {
    const { clock, keys, downloads, willList } = setUp({ publicKey: false });
    await keys.ensure(a.certificate.serial);
    willList(() => [b.certificate]);
    // A's last day: a refresh is due, though A itself still verifies.
    clock.advance((8 * DAY + 3600_000) / 1000);
    await keys.ensure(a.certificate.serial);
    await Promise.resolve();
    await new Promise((resolve) => setImmediate(resolve));

    expect(downloads()).toBe(2);
    expect(keys.certificates().map((c) => c.serial)).toEqual([b.certificate.serial]);
    expect(codeOf(() => keys.verify(a.certificate.serial, 'm', sign(a.privateKey, 'm')))).toBe('SERIAL_UNKNOWN');
    expect(codeOf(() => keys.verify(b.certificate.serial, 'm', sign(b.privateKey, 'm')))).toBeUndefined();
  });

  it('downloads again every twelve hours while certificates are in use', async () => {
    const { clock, keys, downloads } = setUp({ publicKey: false });
    await keys.ensure(a.certificate.serial);
    clock.advance(11 * 3600);
    await keys.ensure(a.certificate.serial);
    clock.advance(3600);
    await keys.ensure(a.certificate.serial);
    await new Promise((resolve) => setImmediate(resolve));
    expect(downloads()).toBe(2);
  });

  it('remembers why a download failed and refuses the serial meanwhile', async () => {
    const clock = new AdjustableClock({ now: () => start });
    const keys = createVerificationKeys({ clock, download: () => Promise.reject(new WechatPayError('NETWORK_ERROR', 'WeChat Pay could not be reached')) });
    await keys.ensure(a.certificate.serial);
    expect(codeOf(() => keys.verify(a.certificate.serial, 'm', sign(a.privateKey, 'm')))).toBe('SERIAL_UNKNOWN');
    expect(keys.lastRefreshError()).toContain('NETWORK_ERROR');
  });
});
