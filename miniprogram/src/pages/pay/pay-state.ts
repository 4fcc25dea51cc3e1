/**
 * The pay page's states as data, and which screen each one shows. Kept apart from the component
 * so the rules ("a paid link the viewer paid is *paid by you*") read in one place.
 */
import type { CreatePaymentResponse, FriendView, PaymentRefundView, PaymentView } from '@shared/api-types';
import type { ApiError } from '../../api/http';
import { wasPaid } from '../../api/payment';

/** Loading the friend view. */
export type Load =
  /** No link in the query (`unreadable`: something was there, but not a link: the invalid screen). */
  | { kind: 'no-ref'; unreadable?: boolean }
  | { kind: 'loading' }
  | { kind: 'loaded'; view: FriendView; /** server clock minus local clock, ms */ offsetMs: number }
  | { kind: 'failed'; error: ApiError };

/** Where the friend is in paying. */
export type Flow =
  | { kind: 'idle'; notice?: string }
  | { kind: 'starting' }
  | { kind: 'sheet'; created: CreatePaymentResponse; acting: boolean }
  | { kind: 'waiting'; payment: PaymentView; slow: boolean }
  | { kind: 'paid'; payment: PaymentView }
  | { kind: 'busy'; retryAt: number; /** how long the wait was when it began, ms */ waitMs: number }
  | { kind: 'failed'; error: ApiError }
  /** A private link: checking with WeChat and the server that this friend received its card. */
  | { kind: 'proving' }
  /** A private link this friend did not receive (a forwarded card, another way in): no paying. */
  | { kind: 'private' };

/** Every screen of the pay page. */
export type Screen =
  | 'no-link'
  | 'loading'
  | 'active'
  | 'paying'
  | 'waiting'
  | 'paid-by-you'
  | 'paid-by-other'
  | 'expired'
  | 'revoked'
  | 'void'
  | 'invalid'
  | 'busy'
  | 'network'
  | 'proving'
  | 'private';

/** When no `retry_after` came with a busy link, look again after this long. */
export const DEFAULT_BUSY_RETRY_MS = 10_000;

/** The viewer's payment that went through, if any. */
export function myPaidPayment(view: FriendView): PaymentView | undefined {
  return view.my_payments.find(wasPaid);
}

/** Every refund of the viewer's own payments on this link, oldest first. */
export function myRefunds(view: FriendView): PaymentRefundView[] {
  return view.my_payments.flatMap((payment) => payment.refunds);
}

/** What this friend may pay now: the amount due minus what other friends are paying right now. */
export function payableAmount(view: FriendView): number {
  return Math.max(0, view.order.amount_due - view.order.amount_reserved);
}

/**
 * Other friends hold the link (single mode: one is in the pay sheet; group mode: open payments
 * cover everything that remains), and it is not the viewer's own open payment.
 */
export function isBusyForViewer(view: FriendView): boolean {
  if (view.link.status !== 'active' || view.my_payments.some((payment) => payment.status === 'created')) return false;
  if (view.link.mode === 'single') return view.link.paying;
  return view.order.amount_due > 0 && payableAmount(view) === 0;
}

/** The screen for a load and a flow. The flow wins: it is what the friend is doing right now. */
export function screenOf(load: Load, flow: Flow): Screen {
  switch (flow.kind) {
    case 'starting':
    case 'sheet':
      return 'paying';
    case 'waiting':
      return 'waiting';
    case 'paid':
      return 'paid-by-you';
    case 'busy':
      return 'busy';
    case 'failed':
      return 'network';
    case 'proving':
      return 'proving';
    case 'private':
      return 'private';
    case 'idle':
      break;
  }
  switch (load.kind) {
    case 'no-ref':
      return load.unreadable === true ? 'invalid' : 'no-link';
    case 'loading':
      return 'loading';
    case 'failed':
      return load.error.code === 'LINK_INVALID' || load.error.code === 'LINK_NOT_FOUND' ? 'invalid' : 'network';
    case 'loaded':
      break;
  }
  const { view } = load;
  switch (view.link.status) {
    case 'paid':
      return myPaidPayment(view) === undefined ? 'paid-by-other' : 'paid-by-you';
    case 'expired':
      return 'expired';
    case 'revoked':
      return 'revoked';
    case 'void':
      return 'void';
    case 'active':
      return 'active';
  }
}

/**
 * A private link this viewer has not yet proved they received, while it can still be paid (a
 * friend who already paid it needs no proof to see so).
 */
export function needsPrivateProof(view: FriendView): boolean {
  return view.link.audience === 'private' && view.link.status === 'active' && view.link.private_proof !== true && myPaidPayment(view) === undefined;
}

/**
 * Group mode's one-tap amounts, in fen: everything that remains first, then half of it, then a
 * few round sums below it. At most four, no duplicates.
 */
export function quickAmounts(due: number): number[] {
  const candidates = [due, Math.ceil(due / 2), 1000, 2000, 5000, 10_000];
  const amounts: number[] = [];
  for (const amount of candidates) {
    if (amount >= 1 && amount <= due && !amounts.includes(amount)) amounts.push(amount);
    if (amounts.length === 4) break;
  }
  return amounts;
}
