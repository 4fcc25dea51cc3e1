/**
 * What friends who paid are called. A friend may give a name when paying; one who gives none is
 * "微信好友 N", N counting the order's payments in the order they were paid, so the names of an
 * order never change once given. The shop (and through it the shopper) reads names in full; other
 * friends read a given name masked (`李雷` -> `李*`), as they read the requester's.
 */
import { maskName } from '../../../shared/mask';
import type { PaymentRecord } from '../store/records';

/** The name of the `ordinal`-th friend (from 1) who paid an order without giving one. */
export function defaultPayerName(ordinal: number): string {
  return `微信好友 ${ordinal}`;
}

/** The full display name of every paid payment of one order, by payment id. */
export function payerNames(payments: readonly PaymentRecord[]): Map<string, string> {
  // WeChat reports payment times to the second: friends who paid within one second are
  // numbered in the order they started paying.
  const paid = payments
    .filter((payment) => payment.paidAt !== null)
    .sort((a, b) => (a.paidAt ?? 0) - (b.paidAt ?? 0) || a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return new Map(paid.map((payment, index) => [payment.id, payment.payerName ?? defaultPayerName(index + 1)]));
}

/** A payment's name for the shop: what the friend gave, else its "微信好友 N" (N from `names`). */
export function payerNameOf(payment: PaymentRecord, names: ReadonlyMap<string, string>): string {
  return names.get(payment.id) ?? payment.payerName ?? defaultPayerName(names.size + 1);
}

/** A payment's name for other friends' eyes: a given name masked, a default name as it is. */
export function maskedPayerNameOf(payment: PaymentRecord, names: ReadonlyMap<string, string>): string {
  return payment.payerName === null ? payerNameOf(payment, names) : maskName(payment.payerName);
}
