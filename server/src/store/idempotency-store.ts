/** What the store does with the idempotency keys of shop writes. */
import type { IdempotencyRecord } from './records';

/** Result of claiming an idempotency key. */
export type IdempotencyClaim = { claimed: true } | { claimed: false; existing: IdempotencyRecord };

/** Idempotency keys (used outside transactions only). */
export interface IdempotencyStore {
  /** Claims a key for a request; if it exists already, returns the stored record instead. */
  claimIdempotencyKey(record: IdempotencyRecord): Promise<IdempotencyClaim>;
  completeIdempotencyKey(scope: string, key: string, statusCode: number, responseBody: string): Promise<void>;
  /** Forgets a pending claim whose request failed, so a retry runs again. */
  releaseIdempotencyKey(scope: string, key: string): Promise<void>;
}
