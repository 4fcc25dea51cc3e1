/** What the store does with the idempotency keys of shop writes. */
import type { IdempotencyRecord } from './records';

/** Result of claiming an idempotency key. */
export type IdempotencyClaim = { claimed: true } | { claimed: false; existing: IdempotencyRecord };

/**
 * Idempotency keys (used outside transactions only). A pending claim is a lease: its holder renews
 * `heldUntil` while the request runs, so a claim left by a crashed instance is free again seconds
 * after the crash, while one held by a live instance, however slow, is never taken from it.
 */
export interface IdempotencyStore {
  /**
   * Claims a key for a request: inserts it, or takes over a pending claim of the same request whose
   * hold ran out before `record.createdAt`. Otherwise returns the stored record. Two claims at once:
   * one wins.
   */
  claimIdempotencyKey(record: IdempotencyRecord): Promise<IdempotencyClaim>;
  /** Extends `holder`'s pending claim to `heldUntil`; false when the claim is no longer its own. */
  holdIdempotencyKey(scope: string, key: string, holder: string, heldUntil: number): Promise<boolean>;
  /** Stores the response of `holder`'s pending claim. */
  completeIdempotencyKey(scope: string, key: string, holder: string, statusCode: number, responseBody: string): Promise<void>;
  /** Forgets `holder`'s pending claim whose request failed, so a retry runs again. */
  releaseIdempotencyKey(scope: string, key: string, holder: string): Promise<void>;
}
