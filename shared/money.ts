/** Money is always an integer number of fen (0.01 CNY); these helpers keep it that way. */

/** The largest order total we accept: ¥500,000, far below any float precision risk. */
export const MAX_ORDER_TOTAL_FEN = 50_000_000;

/** True for a whole, non-negative number of fen within the safe range. */
export function isFen(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** `1234` -> `¥12.34`, computed with integers so no float rounding shows. */
export function formatYuan(fen: number): string {
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(Math.trunc(fen));
  const yuan = Math.floor(abs / 100);
  const cents = String(abs % 100).padStart(2, '0');
  // Thousands by hand: WeChat's JavaScript engine on some phones has no Intl.
  const grouped = String(yuan).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${sign}¥${grouped}.${cents}`;
}

/** Sum of quantity × unit price over items, in fen. */
export function sumItems(items: readonly { quantity: number; unit_price: number }[]): number {
  return items.reduce((total, item) => total + item.quantity * item.unit_price, 0);
}
