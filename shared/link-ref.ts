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

/**
 * Reads the link reference from a pay page's launch query: `t` (share card), `scene`
 * (mini program code; URI-encoded by WeChat) or `code`.
 */
export function linkRefFromQuery(query: Record<string, string | undefined>): string | undefined {
  const raw = query.t ?? query.scene ?? query.code;
  if (raw === undefined || raw === '') return undefined;
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}
