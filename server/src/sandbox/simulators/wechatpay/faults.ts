// Failure switches of the WeChat Pay simulator (issue 3 point 4). QA flips them over
// `POST /sandbox/faults`; tests flip them directly.

/** Simulator endpoints a fault can target. */
export const FAULT_ENDPOINTS = ['prepay', 'query', 'close', 'refund', 'query_refund', 'certificates', 'trade_bill'] as const;
export type FaultEndpoint = (typeof FAULT_ENDPOINTS)[number];

/** How a targeted endpoint misbehaves. */
export interface EndpointFault {
  /** `5xx`: answer a signed SYSTEM_ERROR; `timeout`: never answer. */
  fail: '5xx' | 'timeout';
  /** HTTP status for `5xx`. @default 500 */
  status: number;
  /** Calls left to fail; undefined: until reset. */
  remaining: number | undefined;
}

/** What happens to notifications while set. */
export interface NotificationFaults {
  /** Extra wait before the first delivery attempt, in real milliseconds. */
  delayMs: number;
  /** Deliver every notification twice (same event id), as WeChat may. */
  duplicate: boolean;
  /** Never deliver (the receiver must find out by querying). */
  drop: boolean;
  /** Hold notifications for `reorderWindowMs`, then deliver them newest first. */
  reorder: boolean;
  /** @default 1000 */
  reorderWindowMs: number;
}

/** Which key signs answers and notifications (`random`: either, as during WeChat's switch from certificates to the public key). */
export const SIGNING_CHOICES = ['public_key', 'certificate', 'random'] as const;
export type SigningChoice = (typeof SIGNING_CHOICES)[number];

/** What goes wrong with trade bills while set. */
export interface BillFaults {
  /** Answer NO_STATEMENT_EXIST whatever the day (as before 10:00 China time the next day). */
  notReady: boolean;
  /** Serve a file that does not hash to the SHA1 the bill answer gave. */
  hashMismatch: boolean;
}

/** How WeChat settles refunds while set, instead of SUCCESS. */
export interface RefundOutcomeFault {
  /** `ABNORMAL`: the payer's account cannot take the money; `CLOSED`: WeChat closes the refund. */
  status: 'ABNORMAL' | 'CLOSED';
  /** Refunds left to settle so; undefined: until reset. */
  remaining: number | undefined;
}

/** The current switches. */
export interface FaultState {
  notifications: NotificationFaults;
  endpoints: Partial<Record<FaultEndpoint, EndpointFault>>;
  failNextClose: boolean;
  /** @default 'public_key' */
  signWith: SigningChoice;
  bills: BillFaults;
  /** How the next refunds settle; null: SUCCESS, as usual. */
  refundOutcome: RefundOutcomeFault | null;
}

/** A change to the switches; omitted members keep their value, `null` clears an endpoint. */
export interface FaultPatch {
  reset?: boolean;
  notifications?: Partial<NotificationFaults>;
  endpoints?: Partial<Record<FaultEndpoint, { fail: '5xx' | 'timeout'; status?: number; times?: number } | null>>;
  failNextClose?: boolean;
  signWith?: SigningChoice;
  bills?: Partial<BillFaults>;
  refundOutcome?: { status: 'ABNORMAL' | 'CLOSED'; times?: number } | null;
}

/** The fault switches of one simulator. */
export interface FaultSwitches {
  /** Applies a patch (a `reset` first clears everything) and returns the new state. */
  set(patch: FaultPatch): FaultState;
  /** Clears every switch. */
  reset(): FaultState;
  /** A copy of the current state. */
  current(): FaultState;
  /** Consumes one failure of `endpoint`, if one is armed. */
  takeEndpointFault(endpoint: FaultEndpoint): EndpointFault | undefined;
  /** Consumes the settlement of one new refund: ABNORMAL or CLOSED when armed, else SUCCESS. */
  takeRefundOutcome(): 'SUCCESS' | 'ABNORMAL' | 'CLOSED';
  /** Listeners run after every change (the notifier flushes held notifications). */
  onChange(listener: (state: FaultState) => void): void;
}

function cleanState(): FaultState {
  return {
    notifications: { delayMs: 0, duplicate: false, drop: false, reorder: false, reorderWindowMs: 1000 },
    endpoints: {},
    failNextClose: false,
    signWith: 'public_key',
    bills: { notReady: false, hashMismatch: false },
    refundOutcome: null,
  };
}

function copy(state: FaultState): FaultState {
  return structuredClone(state);
}

/** Creates a set of switches, all off. */
export function createFaultSwitches(): FaultSwitches {
  let state = cleanState();
  const listeners: ((state: FaultState) => void)[] = [];
  const changed = (): FaultState => {
    for (const listener of listeners) listener(copy(state));
    return copy(state);
  };

  return {
    set(patch: FaultPatch): FaultState {
      if (patch.reset === true) state = cleanState();
      if (patch.notifications !== undefined) {
        const defined = Object.fromEntries(Object.entries(patch.notifications).filter(([, value]) => value !== undefined));
        state.notifications = { ...state.notifications, ...defined };
      }
      for (const [name, fault] of Object.entries(patch.endpoints ?? {})) {
        const endpoint = name as FaultEndpoint;
        if (fault === null || fault === undefined) delete state.endpoints[endpoint];
        else state.endpoints[endpoint] = { fail: fault.fail, status: fault.status ?? 500, remaining: fault.times };
      }
      if (patch.failNextClose !== undefined) state.failNextClose = patch.failNextClose;
      if (patch.signWith !== undefined) state.signWith = patch.signWith;
      if (patch.bills !== undefined) {
        const defined = Object.fromEntries(Object.entries(patch.bills).filter(([, value]) => value !== undefined));
        state.bills = { ...state.bills, ...defined };
      }
      if (patch.refundOutcome !== undefined) {
        state.refundOutcome = patch.refundOutcome === null ? null : { status: patch.refundOutcome.status, remaining: patch.refundOutcome.times };
      }
      return changed();
    },
    reset(): FaultState {
      state = cleanState();
      return changed();
    },
    current(): FaultState {
      return copy(state);
    },
    takeEndpointFault(endpoint: FaultEndpoint): EndpointFault | undefined {
      if (endpoint === 'close' && state.failNextClose) {
        state.failNextClose = false;
        return { fail: '5xx', status: 500, remaining: 0 };
      }
      const fault = state.endpoints[endpoint];
      if (fault === undefined) return undefined;
      if (fault.remaining !== undefined) {
        fault.remaining -= 1;
        if (fault.remaining <= 0) delete state.endpoints[endpoint];
      }
      return { ...fault };
    },
    takeRefundOutcome(): 'SUCCESS' | 'ABNORMAL' | 'CLOSED' {
      const fault = state.refundOutcome;
      if (fault === null) return 'SUCCESS';
      if (fault.remaining !== undefined) {
        fault.remaining -= 1;
        if (fault.remaining <= 0) state.refundOutcome = null;
      }
      return fault.status;
    },
    onChange(listener: (state: FaultState) => void): void {
      listeners.push(listener);
    },
  };
}
