/** Where the mini program's pages live, inside WeChat and in a browser. */

/** The pay page's mini program path for a link (share cards open this). */
export function payPagePath(ref: string): string {
  return `/pages/pay/index?t=${encodeURIComponent(ref)}`;
}

/** The shopper's share page path for a link token. */
export function sharePagePath(token: string): string {
  return `/pages/share/index?t=${encodeURIComponent(token)}`;
}

/** The shopper's share page path for their shopper token (what the shop app opens). */
export function shopperPagePath(shopperToken: string): string {
  return `/pages/share/index?s=${encodeURIComponent(shopperToken)}`;
}

/** The origin of the H5 build and of the API: the page's own in a browser, the API server's otherwise. */
export function webOrigin(): string {
  if (API_BASE_URL !== '') return API_BASE_URL;
  return process.env.TARO_ENV === 'h5' && typeof window !== 'undefined' ? window.location.origin : '';
}

/** The pay page of the H5 build, as a URL a browser opens (`{origin}/app/#/pages/pay/index?t=...`). */
export function payPageBrowserUrl(ref: string): string {
  return `${webOrigin()}/app/#${payPagePath(ref)}`;
}

/** The share page of the H5 build, as a URL a browser opens. */
export function sharePageBrowserUrl(token: string): string {
  return `${webOrigin()}/app/#${sharePagePath(token)}`;
}

/** The public mini program code image of a link, served under its short URL (`{url}/qr.png`). */
export function codeImageUrl(linkUrl: string): string {
  return `${linkUrl}/qr.png`;
}

/**
 * The launch queries that open a link's pay page, one per way in (for WeChat DevTools' compile
 * mode, page `pages/pay/index`): `t` (share card), `scene` (mini program code), `q` (plain-link QR).
 */
export function payPageLaunchQueries(link: { token: string; code: string; url: string }): { t: string; scene: string; q: string } {
  return { t: `t=${link.token}`, scene: `scene=${encodeURIComponent(link.code)}`, q: `q=${encodeURIComponent(link.url)}` };
}

/** The shopper's share page of the H5 build, opened with their shopper token. */
export function shopperPageBrowserUrl(shopperToken: string): string {
  return `${webOrigin()}/app/#${shopperPagePath(shopperToken)}`;
}
