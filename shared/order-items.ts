/**
 * How an order line reads, on every page (the server's landing page and the mini program): the
 * unit price times the quantity, then the line total, so "× 2" is never read against a price
 * that is only one of the two.
 */
import { formatYuan } from './money';

/** An order line as people read it. */
export interface ItemLine {
  title: string;
  /** `¥44.00 × 2`: what one costs and how many. */
  unitText: string;
  /** `¥88.00`: what the line costs. */
  totalText: string;
}

/** The reading of one order line. */
export function itemLine(item: { title: string; quantity: number; unit_price: number }): ItemLine {
  return {
    title: item.title,
    unitText: `${formatYuan(item.unit_price)} × ${item.quantity}`,
    totalText: formatYuan(item.unit_price * item.quantity),
  };
}
