/**
 * Masks a person's name for a friend's eyes: the first character stays, the rest become `*`
 * (`张三` -> `张*`, `Alice` -> `A****`). Works on code points so emoji and CJK count as one.
 */
export function maskName(name: string): string {
  const chars = Array.from(name.trim());
  if (chars.length === 0) return '*';
  if (chars.length === 1) return '*';
  return chars[0] + '*'.repeat(Math.min(chars.length - 1, 4));
}

/** Masks an identifier such as an openid: `oUpF8uMuAJO_M2pxb1Q9zNjWeS6o` -> `oUp***S6o`. */
export function maskId(id: string): string {
  if (id.length <= 6) return '*'.repeat(id.length);
  return `${id.slice(0, 3)}***${id.slice(-3)}`;
}
