/**
 * What the store keeps for reaching the mini program from outside it: the app's one WeChat access
 * token (with the lease that lets one instance at a time refresh it), and per link the mini
 * program code image and the URL Link, each made once and kept.
 */
import type { AccessTokenRecord, LinkCodeRecord, LinkUrlLinkRecord } from './records';

/** WeChat assets and the shared access token, outside transactions. */
export interface WechatStore {
  getLinkCode(linkId: string, envVersion: string): Promise<LinkCodeRecord | undefined>;
  /**
   * Keeps `code` unless a code is kept already for its link and env version (a conditional
   * insert): resolves to the kept one, so of two instances making the same code both serve the winner's.
   */
  keepLinkCode(code: LinkCodeRecord): Promise<LinkCodeRecord>;
  getLinkUrlLink(linkId: string, envVersion: string): Promise<LinkUrlLinkRecord | undefined>;
  /** Keeps `urlLink` unless one is kept already for its link and env version; resolves to the kept one. */
  keepLinkUrlLink(urlLink: LinkUrlLinkRecord): Promise<LinkUrlLinkRecord>;
  readAccessToken(appId: string): Promise<AccessTokenRecord | undefined>;
  /** Stores the app's token (replacing the previous one); leaves the refresh lease alone. */
  writeAccessToken(token: AccessTokenRecord): Promise<void>;
  /**
   * Takes the app's token-refresh lease for `holder` until `until`, if nobody holds it, its holder's
   * time ran out (`lease_until <= now`), or `holder` holds it already. One conditional write: of
   * instances claiming at once exactly one succeeds.
   */
  claimAccessTokenLease(appId: string, holder: string, now: number, until: number): Promise<boolean>;
  /** Gives the lease back, if `holder` still holds it. */
  releaseAccessTokenLease(appId: string, holder: string): Promise<void>;
}
