/**
 * The pay page's flow: reading the link, paying (session, payment, pay sheet, waiting for the
 * result, cancelling) and what the clock decides, as one reducer over `Load` and `Flow` plus the
 * async steps that feed it. The page only draws what `usePayFlow` returns.
 */
import { useEffect, useMemo, useReducer, useRef, useState } from 'react';
import Taro, { useRouter, useShareAppMessage } from '@tarojs/taro';
import type { CreatePaymentResponse, FriendView, PaymentRefundView, PaymentView } from '@shared/api-types';
import { linkRefFromQuery } from '@shared/link-ref';
import { formatYuan } from '@shared/money';
import { cancelPayment, createPayment, fetchFriendView, fetchPayment } from '../../api/friend-api';
import { ApiError, hasCode } from '../../api/http';
import { newIdempotencyKey, pollPayment, requestWechatPayment, wasPaid, type PaySheetOutcome } from '../../api/payment';
import { askToSubscribe, enterShareTicket, privateMessageProof, subscriptionResults } from '../../api/chat';
import { sandboxCards, sandboxPay, type SandboxCard, type SandboxPayOutcome } from '../../api/sandbox-api';
import { currentFriend, forgetSession, loginAhead, storedSession, withSession } from '../../api/session';
import { provePrivateReceipt, saveSubscriptions } from '../../api/share-api';
import type { AmountChoice } from '../../components/amount-picker';
import { useNow } from '../../hooks/use-now';
import type { Messages } from '../../i18n/messages';
import { DEFAULT_BUSY_RETRY_MS, isBusyForViewer, myPaidPayment, myRefunds, needsPrivateProof, screenOf, type Flow, type Load, type Screen } from './pay-state';

interface PayState {
  load: Load;
  flow: Flow;
}

/** What happened; `payReducer` decides where that leaves the page. */
type PayAction =
  | { type: 'load-started' }
  | { type: 'load-succeeded'; view: FriendView; offsetMs: number; at: number }
  | { type: 'load-failed'; error: ApiError }
  | { type: 'pay-started' }
  | { type: 'sheet-opened'; created: CreatePaymentResponse }
  | { type: 'sheet-answered' }
  | { type: 'result-awaited'; payment: PaymentView; slow: boolean }
  | { type: 'paid'; payment: PaymentView }
  | { type: 'link-busy'; retryAt: number; waitMs: number }
  | { type: 'start-failed'; error: ApiError }
  | { type: 'proof-started' }
  | { type: 'proof-refused' }
  | { type: 'reset'; notice?: string };

function payReducer(state: PayState, action: PayAction): PayState {
  switch (action.type) {
    case 'load-started':
      return { ...state, load: { kind: 'loading' } };
    case 'load-succeeded': {
      const load: Load = { kind: 'loaded', view: action.view, offsetMs: action.offsetMs };
      // Someone else holds the link: wait instead of offering a button that would fail.
      if (state.flow.kind === 'idle' && isBusyForViewer(action.view)) {
        return { load, flow: { kind: 'busy', retryAt: action.at + DEFAULT_BUSY_RETRY_MS, waitMs: DEFAULT_BUSY_RETRY_MS } };
      }
      return { ...state, load };
    }
    case 'load-failed':
      return { ...state, load: { kind: 'failed', error: action.error } };
    case 'pay-started':
      return { ...state, flow: { kind: 'starting' } };
    case 'sheet-opened':
      return { ...state, flow: { kind: 'sheet', created: action.created, acting: false } };
    case 'sheet-answered':
      return state.flow.kind === 'sheet' ? { ...state, flow: { ...state.flow, acting: true } } : state;
    case 'result-awaited':
      return { ...state, flow: { kind: 'waiting', payment: action.payment, slow: action.slow } };
    case 'paid':
      return { ...state, flow: { kind: 'paid', payment: action.payment } };
    case 'link-busy':
      return { ...state, flow: { kind: 'busy', retryAt: action.retryAt, waitMs: action.waitMs } };
    case 'start-failed':
      return { ...state, flow: { kind: 'failed', error: action.error } };
    case 'proof-started':
      return { ...state, flow: { kind: 'proving' } };
    case 'proof-refused':
      return { ...state, flow: { kind: 'private' } };
    case 'reset':
      return { ...state, flow: action.notice === undefined ? { kind: 'idle' } : { kind: 'idle', notice: action.notice } };
  }
}

function initialState({ ref, unreadable }: { ref: string | undefined; unreadable: boolean }): PayState {
  return { load: ref === undefined ? { kind: 'no-ref', unreadable } : { kind: 'loading' }, flow: { kind: 'idle' } };
}

function toApiError(error: unknown): ApiError {
  return error instanceof ApiError ? error : new ApiError('UNEXPECTED_RESPONSE', 0, error instanceof Error ? error.message : String(error));
}

/** The current pay attempt: retrying it (same amount) reuses its Idempotency-Key. */
interface Attempt {
  amount: number | undefined;
  key: string;
}

/** Where the name the friend last gave is kept, so the next link starts with it. */
const PAYER_NAME_KEY = 'friend-pay:payer-name';
/** The server takes 1-20 characters. */
export const PAYER_NAME_MAX = 20;

function storedPayerName(): string {
  const value: unknown = Taro.getStorageSync(PAYER_NAME_KEY);
  return typeof value === 'string' ? value : '';
}

/** The name as sent: trimmed, at most 20 characters, or nothing when blank. */
function payerNameToSend(name: string): string | undefined {
  const trimmed = Array.from(name.trim()).slice(0, PAYER_NAME_MAX).join('');
  return trimmed === '' ? undefined : trimmed;
}

/** What the async steps need from the hook. */
interface StepContext {
  ref: string | undefined;
  friendOverride: string | undefined;
  /** Sandbox builds: the share ticket the simulated chat opened this page with (`?share_ticket=`). */
  shareTicketParam: string | undefined;
  t: Messages;
  /** The reducer's dispatch; the steps stop using it once disposed. */
  dispatch: (action: PayAction) => void;
}

/**
 * The flow's async steps. They never read React state: what they need comes in as arguments,
 * and everything they change goes out through `send`.
 */
function paySteps({ ref, friendOverride, shareTicketParam, t, dispatch }: StepContext) {
  // The one cancellation mechanism: steps that finish after the page (or this link) has gone
  // change nothing and start nothing. A flag, not an AbortController: WeChat's JavaScript engine
  // has none. The page's effect activates the steps and disposes of them.
  let alive = false;
  const isMounted = (): boolean => alive;
  /** Dispatches, unless the page has gone away. */
  const send = (action: PayAction): void => {
    if (alive) dispatch(action);
  };
  // The current attempt lives with the steps that use it: a new link or language starts afresh
  // (the server hands the same friend's open payment back anyway).
  const attempt: { current: Attempt | undefined } = { current: undefined };
  const reload = async (quiet = false): Promise<void> => {
    if (ref === undefined || !isMounted()) return;
    if (!quiet) send({ type: 'load-started' });
    const friend = currentFriend(friendOverride);
    let session = storedSession(friend);
    for (;;) {
      try {
        const view = await fetchFriendView(ref, session?.token);
        const at = Date.now();
        send({ type: 'load-succeeded', view, offsetMs: Date.parse(view.server_time) - at, at });
        return;
      } catch (error: unknown) {
        if (session !== undefined && hasCode(error, 'SESSION_INVALID')) {
          // A stale session must not hide the link: forget it and look again anonymously.
          forgetSession(friend);
          session = undefined;
          continue;
        }
        send({ type: 'load-failed', error: toApiError(error) });
        return;
      }
    }
  };

  const waitForResult = async (payment: PaymentView): Promise<void> => {
    send({ type: 'result-awaited', payment, slow: false });
    const friend = currentFriend(friendOverride);
    let settled: PaymentView | undefined;
    try {
      settled = await pollPayment(() => withSession(friend, (session) => fetchPayment(payment.id, session.token)), { isCancelled: () => !isMounted() });
    } catch (error: unknown) {
      attempt.current = undefined;
      send({ type: 'reset', notice: t.problems[toApiError(error).code] });
      void reload(true);
      return;
    }
    if (settled === undefined) {
      send({ type: 'result-awaited', payment, slow: true });
      return;
    }
    attempt.current = undefined;
    send(wasPaid(settled) ? { type: 'paid', payment: settled } : { type: 'reset', notice: t.payFailed });
    void reload(true);
  };

  const settleSheet = async (payment: PaymentView, outcome: PaySheetOutcome): Promise<void> => {
    if (outcome === 'paid') {
      await waitForResult(payment);
      return;
    }
    attempt.current = undefined;
    try {
      // Frees the link for other friends now rather than when the lease runs out.
      await withSession(currentFriend(friendOverride), (session) => cancelPayment(payment.id, session.token));
    } catch {
      // Not fatal: the server closes an abandoned payment when its lease ends.
    }
    send({ type: 'reset', notice: outcome === 'cancelled' ? t.cancelled : t.payFailed });
    void reload(true);
  };

  const failStart = (error: ApiError): void => {
    switch (error.code) {
      case 'LINK_BUSY': {
        const waitMs = error.retryAfter === undefined ? DEFAULT_BUSY_RETRY_MS : error.retryAfter * 1000;
        send({ type: 'link-busy', retryAt: Date.now() + waitMs, waitMs });
        return;
      }
      case 'PRIVATE_LINK':
        // A private link this friend did not prove they received.
        attempt.current = undefined;
        send({ type: 'proof-refused' });
        return;
      case 'LINK_PAID':
      case 'LINK_EXPIRED':
      case 'LINK_REVOKED':
      case 'LINK_VOID':
      case 'LINK_INVALID':
      case 'LINK_NOT_FOUND':
        // The link changed under us: show what it is now.
        attempt.current = undefined;
        send({ type: 'reset' });
        void reload();
        return;
      default:
        if (error.transient) {
          // Keep the attempt: retrying with the same Idempotency-Key cannot open a second payment.
          send({ type: 'start-failed', error });
          return;
        }
        attempt.current = undefined;
        send({ type: 'reset', notice: t.problems[error.code] });
        void reload(true);
    }
  };

  const startPayment = async (amount: number | undefined, payerName: string | undefined): Promise<void> => {
    if (ref === undefined) return;
    if (attempt.current === undefined || attempt.current.amount !== amount) attempt.current = { amount, key: newIdempotencyKey() };
    const { key } = attempt.current;
    send({ type: 'pay-started' });
    const input = { ...(amount === undefined ? {} : { amount }), ...(payerName === undefined ? {} : { payer_name: payerName }) };
    const create = (idempotencyKey: string) =>
      withSession(currentFriend(friendOverride), (session) => createPayment(ref, session.token, idempotencyKey, input));
    let created: CreatePaymentResponse;
    try {
      try {
        created = await create(key);
      } catch (error: unknown) {
        // The key belongs to a payment that has ended (e.g. WeChat refused its prepay): start afresh once.
        if (!hasCode(error, 'IDEMPOTENCY_MISMATCH')) throw error;
        attempt.current = { amount, key: newIdempotencyKey() };
        created = await create(attempt.current.key);
      }
    } catch (error: unknown) {
      failStart(toApiError(error));
      return;
    }
    // The friend left while the payment was being opened: no pay sheet over a page that is gone.
    if (!isMounted()) return;
    if (SANDBOX) {
      send({ type: 'sheet-opened', created });
      return;
    }
    await settleSheet(created.payment, await requestWechatPayment(created.request_payment));
  };

  const answerSheet = async (created: CreatePaymentResponse, outcome: SandboxPayOutcome): Promise<void> => {
    send({ type: 'sheet-answered' });
    if (created.sandbox === undefined) {
      // A sandbox build talking to a production server: there is no simulator to pay.
      await settleSheet(created.payment, 'failed');
      return;
    }
    try {
      await sandboxPay(created.sandbox.prepay_id, created.sandbox.openid, outcome);
    } catch (error: unknown) {
      // No answer: the payment may have gone through, so ask the server rather than guess.
      if (outcome === 'success' && toApiError(error).transient) {
        await waitForResult(created.payment);
        return;
      }
      await settleSheet(created.payment, outcome === 'cancel' ? 'cancelled' : 'failed');
      return;
    }
    await settleSheet(created.payment, outcome === 'success' ? 'paid' : outcome === 'cancel' ? 'cancelled' : 'failed');
  };

  /**
   * A private link: the card this page was opened from must be one the shopper sent this friend.
   * WeChat says so in data only the server can decrypt (with the friend's session key); without a
   * card (a link copied or forwarded), there is nothing to prove.
   */
  const proveReceipt = async (): Promise<void> => {
    if (ref === undefined) return;
    const ticket = enterShareTicket({ share_ticket: shareTicketParam });
    if (ticket === undefined) {
      send({ type: 'proof-refused' });
      return;
    }
    send({ type: 'proof-started' });
    try {
      await withSession(currentFriend(friendOverride), async (session) => {
        const proof = await privateMessageProof(ticket, session.openid);
        await provePrivateReceipt(ref, session.token, proof);
      });
    } catch (error: unknown) {
      const apiError = toApiError(error);
      send(apiError.transient ? { type: 'start-failed', error: apiError } : { type: 'proof-refused' });
      return;
    }
    send({ type: 'reset' });
    await reload(true);
  };

  /** After paying: the friend agrees (by tapping) to hear when money goes back to them. */
  const subscribeToRefunds = async (templateId: string): Promise<boolean> => {
    if (ref === undefined) return false;
    const saved = await withSession(currentFriend(friendOverride), async (session) => {
      const answers = await askToSubscribe([templateId], session.openid);
      return saveSubscriptions(session.token, { link: ref, templates: subscriptionResults([templateId], answers) });
    });
    return saved.subscriptions.length > 0;
  };

  return {
    reload,
    waitForResult,
    startPayment,
    answerSheet,
    proveReceipt,
    subscribeToRefunds,
    send,
    activate: (): void => {
      alive = true;
    },
    dispose: (): void => {
      alive = false;
    },
  };
}

/** What the pay page draws, and what the friend can do on it. */
export interface PayFlow {
  /** Which screen to show: the flow wins over the link's state (see `screenOf`). */
  screen: Screen;
  load: Load;
  flow: Flow;
  /** The friend view, once it has loaded. */
  view: FriendView | undefined;
  /** What of the friend's own money went (or is going) back to them; empty until the view loads. */
  refunds: PaymentRefundView[];
  /** The local clock (ms), ticking every second while a countdown is on screen. */
  now: number;
  /** How long until the link expires by the server's clock (ms); 0 before the view loads. */
  msLeft: number;
  /** Group mode: the amount the friend picked or is typing. */
  choice: AmountChoice;
  /** Group mode: the friend tapped a one-tap amount or typed one. */
  choose: (choice: AmountChoice) => void;
  /** What the friend wants the shopper to call them (optional; kept for the next link). */
  payerName: string;
  /** The friend typed in the name field. */
  setPayerName: (name: string) => void;
  /** Opens a payment: `amount` fen in group mode, undefined for everything that is due. */
  pay: (amount: number | undefined) => void;
  /** Sandbox builds: the friend's answer in the stand-in pay sheet (ignored while one is being sent). */
  answerSheet: (outcome: SandboxPayOutcome) => void;
  /** After the result took long: ask the server again. */
  checkAgain: () => void;
  /** Back to the pay screen, reading the link again (network error, busy link). */
  retry: () => void;
  /** Group mode, after paying a part: back to the pay screen. */
  payMore: () => void;
  /** After paying: ask for "refund on its way" messages (from a tap); `notify` says how it went. */
  notifyRefunds: () => void;
  notify: 'idle' | 'asking' | 'on' | 'failed';
  /** Sandbox builds: what the simulated chat shows on the link's newest card. */
  sandboxCard: SandboxCard | undefined;
}

/**
 * The friend's pay flow for the link in the page's query (`?t=`, `?scene=`, `?code=`). Also sets
 * the page title and the share card, which depend on the same state.
 */
export function usePayFlow(t: Messages): PayFlow {
  const { params } = useRouter();
  const { t: tokenParam, scene, code, q } = params;
  const ref = useMemo(() => linkRefFromQuery({ t: tokenParam, scene, code, q }), [tokenParam, scene, code, q]);
  // Sandbox builds: `?friend=<openid>` makes this page a given simulated friend (two tabs, two friends).
  const friendOverride = SANDBOX ? params.friend : undefined;
  const shareTicketParam = SANDBOX ? params.share_ticket : undefined;

  // A query that names something, but not a link (a QR code of another URL), is an invalid link, not a missing one.
  const unreadable = ref === undefined && [tokenParam, scene, code, q].some((value) => value !== undefined && value !== '');
  const [{ load, flow }, dispatch] = useReducer(payReducer, { ref, unreadable }, initialState);
  const [choice, setChoice] = useState<AmountChoice>(undefined);
  const [payerName, setPayerName] = useState<string>(storedPayerName);
  const [notify, setNotify] = useState<PayFlow['notify']>('idle');
  const [sandboxCard, setSandboxCard] = useState<SandboxCard | undefined>(undefined);
  // Each view of a private link is proved at most once by itself; a retry asks again.
  const proofTried = useRef(false);
  const expiryReloadedFor = useRef<string | undefined>(undefined);

  const steps = useMemo(() => paySteps({ ref, friendOverride, shareTicketParam, t, dispatch }), [ref, friendOverride, shareTicketParam, t]);

  // The page config's title is Chinese; English-speaking friends get theirs.
  useEffect(() => {
    void Taro.setNavigationBarTitle({ title: t.appName });
  }, [t]);

  useEffect(() => {
    steps.activate();
    void steps.reload();
    return () => steps.dispose();
  }, [steps]);

  useEffect(() => {
    if (load.kind !== 'loaded' || flow.kind !== 'idle' || proofTried.current || !needsPrivateProof(load.view)) return;
    proofTried.current = true;
    void steps.proveReceipt();
  }, [load, flow, steps]);

  // The sandbox shows what its simulated chat shows on the link's card, as the view changes.
  useEffect(() => {
    if (!SANDBOX || ref === undefined || load.kind !== 'loaded') return;
    let cancelled = false;
    sandboxCards(ref).then(
      (cards) => !cancelled && setSandboxCard(cards[0]),
      () => undefined,
    );
    return () => {
      cancelled = true;
    };
  }, [ref, load]);

  const screen = screenOf(load, flow);
  const now = useNow(1000, screen === 'active' || screen === 'busy');
  const payable = screen === 'active';

  // While the friend reads, log in (wx.login + POST /v1/sessions), so the tap on "pay" costs only
  // the payment request before the pay sheet.
  useEffect(() => {
    if (payable) void loginAhead(currentFriend(friendOverride));
  }, [payable, friendOverride]);
  const view = load.kind === 'loaded' ? load.view : undefined;
  const serverNow = now + (load.kind === 'loaded' ? load.offsetMs : 0);
  const msLeft = view === undefined ? 0 : Date.parse(view.link.expires_at) - serverNow;

  useEffect(() => {
    // The busy countdown ran out: look again (the view decides whether it is still busy).
    if (flow.kind === 'busy' && now >= flow.retryAt) {
      steps.send({ type: 'reset' });
      void steps.reload(true);
    }
    // The countdown reached zero: the server, not the phone's clock, says whether the link expired.
    if (screen === 'active' && view !== undefined && msLeft <= 0 && expiryReloadedFor.current !== view.link.expires_at) {
      expiryReloadedFor.current = view.link.expires_at;
      void steps.reload(true);
    }
  }, [flow, now, screen, view, msLeft, steps]);

  useShareAppMessage(() => {
    const path = ref === undefined ? '/pages/pay/index' : `/pages/pay/index?t=${encodeURIComponent(ref)}`;
    if (view === undefined) return { title: t.appName, path };
    const mine = flow.kind === 'paid' ? flow.payment : myPaidPayment(view);
    if (mine !== undefined) return { title: t.shareBackTitle(formatYuan(mine.amount)), path };
    return { title: t.sharePayTitle(view.link.requester.name, formatYuan(view.order.amount_due)), path };
  });

  return {
    screen,
    load,
    flow,
    view,
    refunds: view === undefined ? [] : myRefunds(view),
    now,
    msLeft,
    choice,
    choose: setChoice,
    payerName,
    setPayerName: (name) => {
      setPayerName(name);
      Taro.setStorageSync(PAYER_NAME_KEY, name);
    },
    pay: (amount) => void steps.startPayment(amount, payerNameToSend(payerName)),
    answerSheet: (outcome) => {
      if (flow.kind === 'sheet' && !flow.acting) void steps.answerSheet(flow.created, outcome);
    },
    checkAgain: () => {
      if (flow.kind === 'waiting') void steps.waitForResult(flow.payment);
    },
    retry: () => {
      proofTried.current = false;
      steps.send({ type: 'reset' });
      void steps.reload();
    },
    payMore: () => steps.send({ type: 'reset' }),
    notifyRefunds: () => {
      const templateId = view?.subscribe_templates?.refund;
      if (templateId === undefined || notify === 'asking' || notify === 'on') return;
      setNotify('asking');
      steps.subscribeToRefunds(templateId).then(
        (on) => {
          setNotify(on ? 'on' : 'idle');
          if (on) void Taro.showToast({ title: t.notifyOn, icon: 'success' });
        },
        () => setNotify('failed'),
      );
    },
    notify,
    sandboxCard,
  };
}
