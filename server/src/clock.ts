/** Where the server gets the time; injected so tests and the sandbox can move it. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

/** The real wall clock. */
export const systemClock: Clock = { now: () => Date.now() };

/**
 * A clock that runs with the wall clock but can be moved forward, for the sandbox's
 * `POST /sandbox/clock` and for tests that must see expiry without sleeping.
 */
export class AdjustableClock implements Clock {
  #offsetMs = 0;

  constructor(private readonly base: Clock = systemClock) {}

  now(): number {
    return this.base.now() + this.#offsetMs;
  }

  /** Moves the clock forward (never backward: expiry already applied cannot be undone). */
  advance(seconds: number): number {
    if (!Number.isFinite(seconds) || seconds < 0) throw new RangeError('advance_seconds must be a non-negative number');
    this.#offsetMs += Math.round(seconds * 1000);
    return this.now();
  }

  /** How far the clock has been moved, in milliseconds. */
  get offsetMs(): number {
    return this.#offsetMs;
  }
}

/** Unix seconds of a clock reading. */
export function unixSeconds(clock: Clock): number {
  return Math.floor(clock.now() / 1000);
}
