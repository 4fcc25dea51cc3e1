/** `GET /v3/certificates`: WeChat Pay's platform certificates, each encrypted with the APIv3 key. */
import { PATH_CERTIFICATES } from '../consts';
import { decryptCertificate, decryptCertificates, readEncryptedCertificates, type PlatformCertificate } from '../platform-certificates';
import { parseJsonOr, type SignedCaller } from '../v3/signed-call';
import type { VerificationKeys } from '../verification-keys';

/**
 * Downloads and decrypts the platform certificates. The answer may be signed by a certificate it
 * brings (the first download of a merchant without the public key): such a certificate is
 * trusted for this answer because it decrypted with the APIv3 key. Retried: a download changes
 * nothing.
 */
export async function downloadCertificates(caller: SignedCaller, keys: Pick<VerificationKeys, 'withCertificates'>, apiV3Key: Buffer): Promise<PlatformCertificate[]> {
  const { text } = await caller.call({
    method: 'GET',
    path: PATH_CERTIFICATES,
    safeToRepeat: true,
    answerVerifier: (answer) => {
      const brought: PlatformCertificate[] = [];
      for (const entry of readEncryptedCertificates(parseJsonOr(answer)) ?? []) {
        try {
          brought.push(decryptCertificate(entry, apiV3Key));
        } catch {
          // One that does not decrypt proves nothing; the verification decides with the rest.
        }
      }
      return keys.withCertificates(brought);
    },
  });
  return decryptCertificates(parseJsonOr(text), apiV3Key);
}
