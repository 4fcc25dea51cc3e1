/** Turns whatever a friend sent (token or code) into a verified link id, before any store read. */
import { classifyLinkRef } from '../../../shared/link-ref';
import { AppError } from '../errors/app-error';
import type { LinkKeyring } from '../tokens/link-keys';
import { verifyLinkCode } from './link-code';
import { verifyLinkToken } from './link-token';

/** The link id named by a verified token or code; throws LINK_INVALID otherwise. */
export function verifyLinkRef(keyring: LinkKeyring, ref: string, nowMs: number): string {
  const kind = classifyLinkRef(ref);
  const linkId =
    kind === 'token' ? verifyLinkToken(keyring, ref, nowMs)?.linkId : kind === 'code' ? verifyLinkCode(keyring, ref) : undefined;
  if (linkId === undefined) throw new AppError('LINK_INVALID', 'This pay link is malformed or its signature does not verify.');
  return linkId;
}
