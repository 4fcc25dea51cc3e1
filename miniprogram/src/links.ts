/** Where the mini program's pages live, inside WeChat and in a browser. */

/** The pay page's mini program path for a link (share cards open this). */
export function payPagePath(ref: string): string {
  return `/pages/pay/index?t=${encodeURIComponent(ref)}`;
}

/** The shopper's share page path for a link token. */
export function sharePagePath(token: string): string {
  return `/pages/share/index?t=${encodeURIComponent(token)}`;
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
