/** The one time format on the wire (answers and webhooks alike): RFC 3339 UTC. */

/** Millisecond timestamps to RFC 3339 UTC. */
export const iso = (ms: number): string => new Date(ms).toISOString();
