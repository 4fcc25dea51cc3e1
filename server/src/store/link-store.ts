/** What the store does with pay links, and the friend view's one-read join of a link. */
import type { LinkStatus } from '../../../shared/states';
import type { FriendLinkView, LinkRecord, LinkView, NewEvent } from './records';

/** A conditional status change of one link. */
export interface LinkTransition {
  id: string;
  /** The change happens only while the link is in one of these states. */
  from: readonly LinkStatus[];
  to: LinkStatus;
  at: number;
  /** Written in the same transaction when the change happens. */
  event?: NewEvent;
}

/** Links, outside a transaction. */
export interface LinkStore {
  insertLink(link: LinkRecord): Promise<void>;
  getLink(id: string): Promise<LinkRecord | undefined>;
  listLinksOfOrder(orderId: string): Promise<LinkRecord[]>;
  /** The link with its order and shop name, in one read: the friend view's hot path. */
  getLinkView(id: string): Promise<LinkView | undefined>;
  /** The link view with its order's payments, in one read (one round trip on PostgreSQL). */
  getFriendLinkView(id: string): Promise<FriendLinkView | undefined>;
  /** Applies the transition if the link is still in a `from` state; undefined otherwise. */
  transitionLink(change: LinkTransition): Promise<LinkRecord | undefined>;
  /** Expires up to `limit` active links whose time is up, each with the event `eventFor` makes. */
  expireDueLinks(now: number, limit: number, eventFor: (link: LinkRecord) => NewEvent): Promise<LinkRecord[]>;
}

/** Links, inside `Store.transaction`. */
export interface LinkStoreTx {
  getLink(id: string, lock?: boolean): Promise<LinkRecord | undefined>;
  updateLink(id: string, patch: Partial<LinkRecord>, onlyIf: readonly LinkStatus[]): Promise<LinkRecord | undefined>;
  /** Voids the order's active links (but `exceptLinkId`); returns them. */
  voidActiveLinks(orderId: string, at: number, exceptLinkId?: string): Promise<LinkRecord[]>;
  /**
   * The links of an order just paid through `paidLinkId`, in one UPDATE: that link becomes paid
   * (from active, or expired when paid in time) and every other active link of the order void.
   */
  endLinksOfPaidOrder(orderId: string, paidLinkId: string, at: number): Promise<void>;
}
