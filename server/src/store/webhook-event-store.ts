/**
 * What the store does with shops' webhook events: an outbox, written in the transaction of the
 * change each event reports and delivered afterwards.
 */
import type { EventRecord, NewEvent } from './records';

/** Webhook events, outside a transaction. */
export interface WebhookEventStore {
  listEvents(shopId: string, limit: number): Promise<EventRecord[]>;
  /** When the oldest event not yet delivered was written (for the outbox lag metric); undefined when none. */
  oldestUndeliveredEventAt(): Promise<number | undefined>;
  /**
   * Claims up to `limit` undelivered events that are due, pushing their next attempt to
   * `claimUntil` so another instance does not deliver them at the same time.
   */
  claimDueEvents(now: number, limit: number, claimUntil: number): Promise<EventRecord[]>;
  markEventDelivered(id: string, at: number): Promise<void>;
  markEventFailed(id: string, nextAttemptAt: number, error: string): Promise<void>;
  /**
   * Takes an event out of the outbox without sending it (the shop has no webhook URL): it keeps no
   * attempt and `reason` as its error, so nobody reads it as delivered.
   */
  markEventSkipped(id: string, at: number, reason: string): Promise<void>;
}

/** Webhook events, inside `Store.transaction`. */
export interface WebhookEventStoreTx {
  insertEvent(event: NewEvent): Promise<void>;
}
