/**
 * A friend names a link by either of its two signed encodings (docs/architecture.md, "Links"): a JWT `token`
 * (share cards) or a short `code` (URLs and mini program codes, whose `scene` holds at most
 * 32 characters). This tells them apart by shape only; signatures are the server's business.
 */

/** Longest link code: a mini program code's `scene` holds 32 visible characters. */
export const MAX_CODE_LENGTH = 32;
/** Longest token we even try to parse; a real one is about 250 characters. */
export const MAX_TOKEN_LENGTH = 2048;

const codePattern = /^[0-9A-Za-z_-]{1,24}\.[0-9A-Za-z_-]{1,24}$/;
const tokenPattern = /^[0-9A-Za-z_-]+\.[0-9A-Za-z_-]+\.[0-9A-Za-z_-]*$/;

/** What kind of reference a string is. */
export type LinkRefKind = 'token' | 'code' | 'invalid';

/** Classifies a link reference by its shape. */
export function classifyLinkRef(ref: string): LinkRefKind {
  if (ref.length <= MAX_CODE_LENGTH && codePattern.test(ref)) return 'code';
  if (ref.length <= MAX_TOKEN_LENGTH && tokenPattern.test(ref)) return 'token';
  return 'invalid';
}

/** Decodes percent-encoding once; text that is not valid percent-encoding is kept as it is. */
function decodeOnce(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/** Where a plain-link QR's URL names the link: the last path segment after `/p/`. */
const landingPathPattern = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]+(?:\/[^?#]*)?\/p\/([0-9A-Za-z._-]{1,64})\/?(?:[?#]|$)/i;

/**
 * The link code in `q`, the URL a plain-link QR encodes (`{PUBLIC_BASE_URL}/p/{code}`), as WeChat
 * hands it to the page under the 扫普通链接二维码打开小程序 rule: URI-encoded once (some runtimes
 * decode it already, so an undecoded URL is taken as it is).
 */
export function linkCodeFromLandingUrl(q: string): string | undefined {
  let url = decodeOnce(q);
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) url = decodeOnce(url);
  const match = landingPathPattern.exec(url);
  return match?.[1];
}

/**
 * Reads the link reference from a pay page's launch query: `t` (share card), `scene` (mini
 * program code; URI-encoded by WeChat), `code`, or `q` (a plain-link QR of the link's url).
 */
export function linkRefFromQuery(query: Record<string, string | undefined>): string | undefined {
  const raw = query.t ?? query.scene ?? query.code;
  if (raw !== undefined && raw !== '') return decodeOnce(raw);
  if (query.q !== undefined && query.q !== '') return linkCodeFromLandingUrl(query.q);
  return undefined;
}
