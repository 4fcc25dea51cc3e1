import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Button, Text, View } from '@tarojs/components';
import Taro, { useRouter, useShareAppMessage } from '@tarojs/taro';
import type { CreatePaymentResponse, FriendView, PaymentView } from '@shared/api-types';
import { linkRefFromQuery } from '@shared/link-ref';
import { formatYuan } from '@shared/money';
import { cancelPayment, createPayment, fetchFriendView, fetchPayment } from '../../api/friend-api';
import { ApiError, hasCode } from '../../api/http';
import { newIdempotencyKey, pollPayment, requestWechatPayment, wasPaid, type PaySheetOutcome } from '../../api/payment';
import { sandboxPay, type SandboxPayOutcome } from '../../api/sandbox-api';
import { currentFriend, forgetSession, storedSession, withSession } from '../../api/session';
import { AmountPicker, chosenAmount, type AmountChoice } from '../../components/amount-picker';
import { Contributors } from '../../components/contributors';
import { GroupProgress } from '../../components/group-progress';
import { LinkSummary } from '../../components/link-summary';
import { SandboxPaySheet } from '../../components/sandbox-pay-sheet';
import { StatusScreen } from '../../components/status-screen';
import { formatCountdown } from '../../format';
import { useNow } from '../../hooks/use-now';
import { useMessages } from '../../i18n/locale';
import { DEFAULT_BUSY_RETRY_MS, isBusyForViewer, myPaidPayment, payableAmount, quickAmounts, screenOf, type Flow, type Load } from './pay-state';
import './index.css';

function toApiError(error: unknown): ApiError {
  return error instanceof ApiError ? error : new ApiError('UNEXPECTED_RESPONSE', 0, error instanceof Error ? error.message : String(error));
}

/** The friend's pay page, opened from a share card (`?t=`), a mini program code (`?scene=`) or a URL (`?code=`). */
export default function PayPage() {
  const { t } = useMessages();
  const { params } = useRouter();
  const ref = useMemo(() => linkRefFromQuery(params), [params.t, params.scene, params.code]);
  // Sandbox builds: `?friend=<openid>` makes this page a given simulated friend (two tabs, two friends).
  const friendOverride = SANDBOX ? params.friend : undefined;

  const [load, setLoad] = useState<Load>(() => (ref === undefined ? { kind: 'no-ref' } : { kind: 'loading' }));
  const [flow, setFlow] = useState<Flow>({ kind: 'idle' });
  const [choice, setChoice] = useState<AmountChoice>(undefined);
  /** The current pay attempt: retrying it (same amount) reuses its Idempotency-Key. */
  const attempt = useRef<{ amount: number | undefined; key: string } | undefined>(undefined);
  const alive = useRef(true);
  const expiryReloadedFor = useRef<string | undefined>(undefined);

  // The page config's title is Chinese; English-speaking friends get theirs.
  useEffect(() => {
    void Taro.setNavigationBarTitle({ title: t.appName });
  }, [t]);

  useEffect(() => {
    alive.current = true;
    return () => {
      alive.current = false;
    };
  }, []);

  const reload = useCallback(
    async (quiet = false): Promise<void> => {
      if (ref === undefined) return;
      if (!quiet) setLoad({ kind: 'loading' });
      const friend = currentFriend(friendOverride);
      let session = storedSession(friend);
      for (;;) {
        try {
          const view = await fetchFriendView(ref, session?.token);
          if (alive.current) setLoad({ kind: 'loaded', view, offsetMs: Date.parse(view.server_time) - Date.now() });
          return;
        } catch (error: unknown) {
          if (session !== undefined && hasCode(error, 'SESSION_INVALID')) {
            // A stale session must not hide the link: forget it and look again anonymously.
            forgetSession(friend);
            session = undefined;
            continue;
          }
          if (alive.current) setLoad({ kind: 'failed', error: toApiError(error) });
          return;
        }
      }
    },
    [ref, friendOverride],
  );

  useEffect(() => {
    void reload();
  }, [reload]);

  // Single mode: someone else is in the pay sheet; wait instead of offering a button that would fail.
  useEffect(() => {
    if (load.kind === 'loaded' && isBusyForViewer(load.view)) {
      setFlow((current) => (current.kind === 'idle' ? { kind: 'busy', retryAt: Date.now() + DEFAULT_BUSY_RETRY_MS, waitMs: DEFAULT_BUSY_RETRY_MS } : current));
    }
  }, [load]);

  const screen = screenOf(load, flow);
  const now = useNow(1000, screen === 'active' || screen === 'busy');
  const view = load.kind === 'loaded' ? load.view : undefined;
  const serverNow = now + (load.kind === 'loaded' ? load.offsetMs : 0);
  const msLeft = view === undefined ? 0 : Date.parse(view.link.expires_at) - serverNow;

  // The busy countdown ran out: look again (the view decides whether it is still busy).
  useEffect(() => {
    if (flow.kind === 'busy' && now >= flow.retryAt) {
      setFlow({ kind: 'idle' });
      void reload(true);
    }
  }, [flow, now, reload]);

  // The countdown reached zero: the server, not the phone's clock, says whether the link expired.
  useEffect(() => {
    if (screen === 'active' && view !== undefined && msLeft <= 0 && expiryReloadedFor.current !== view.link.expires_at) {
      expiryReloadedFor.current = view.link.expires_at;
      void reload(true);
    }
  }, [screen, view, msLeft, reload]);

  const waitForResult = async (payment: PaymentView): Promise<void> => {
    setFlow({ kind: 'waiting', payment, slow: false });
    const friend = currentFriend(friendOverride);
    let settled: PaymentView | undefined;
    try {
      settled = await pollPayment(() => withSession(friend, (session) => fetchPayment(payment.id, session.token)), { isCancelled: () => !alive.current });
    } catch (error: unknown) {
      if (!alive.current) return;
      attempt.current = undefined;
      setFlow({ kind: 'idle', notice: t.problems[toApiError(error).code] });
      void reload(true);
      return;
    }
    if (!alive.current) return;
    if (settled === undefined) {
      setFlow({ kind: 'waiting', payment, slow: true });
      return;
    }
    attempt.current = undefined;
    setFlow(wasPaid(settled) ? { kind: 'paid', payment: settled } : { kind: 'idle', notice: t.payFailed });
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
    if (!alive.current) return;
    setFlow({ kind: 'idle', notice: outcome === 'cancelled' ? t.cancelled : t.payFailed });
    void reload(true);
  };

  const failStart = (error: ApiError): void => {
    switch (error.code) {
      case 'LINK_BUSY': {
        const waitMs = error.retryAfter === undefined ? DEFAULT_BUSY_RETRY_MS : error.retryAfter * 1000;
        setFlow({ kind: 'busy', retryAt: Date.now() + waitMs, waitMs });
        return;
      }
      case 'LINK_PAID':
      case 'LINK_EXPIRED':
      case 'LINK_REVOKED':
      case 'LINK_VOID':
      case 'LINK_INVALID':
      case 'LINK_NOT_FOUND':
        // The link changed under us: show what it is now.
        attempt.current = undefined;
        setFlow({ kind: 'idle' });
        void reload();
        return;
      default:
        if (error.transient) {
          // Keep the attempt: retrying with the same Idempotency-Key cannot open a second payment.
          setFlow({ kind: 'failed', error });
          return;
        }
        attempt.current = undefined;
        setFlow({ kind: 'idle', notice: t.problems[error.code] });
        void reload(true);
    }
  };

  const startPayment = async (amount: number | undefined): Promise<void> => {
    if (ref === undefined) return;
    if (attempt.current === undefined || attempt.current.amount !== amount) attempt.current = { amount, key: newIdempotencyKey() };
    const { key } = attempt.current;
    setFlow({ kind: 'starting' });
    const create = (idempotencyKey: string) =>
      withSession(currentFriend(friendOverride), (session) => createPayment(ref, session.token, idempotencyKey, amount === undefined ? {} : { amount }));
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
      if (alive.current) failStart(toApiError(error));
      return;
    }
    if (!alive.current) return;
    if (SANDBOX) {
      setFlow({ kind: 'sheet', created, acting: false });
      return;
    }
    await settleSheet(created.payment, await requestWechatPayment(created.request_payment));
  };

  const chooseInSheet = async (outcome: SandboxPayOutcome): Promise<void> => {
    if (flow.kind !== 'sheet' || flow.acting) return;
    const { created } = flow;
    setFlow({ kind: 'sheet', created, acting: true });
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

  const retryAfterFailure = (): void => {
    setFlow({ kind: 'idle' });
    void reload();
  };

  useShareAppMessage(() => {
    const path = ref === undefined ? '/pages/pay/index' : `/pages/pay/index?t=${encodeURIComponent(ref)}`;
    if (view === undefined) return { title: t.appName, path };
    const mine = flow.kind === 'paid' ? flow.payment : myPaidPayment(view);
    if (mine !== undefined) return { title: t.shareBackTitle(formatYuan(mine.amount)), path };
    return { title: t.sharePayTitle(view.link.requester.name, formatYuan(view.order.amount_due)), path };
  });

  const notice = flow.kind === 'idle' ? flow.notice : undefined;
  const group = view?.link.mode === 'group';

  const renderActive = (activeView: FriendView) => {
    // Group mode: friends choose a part of what is not already being paid by others.
    const due = group ? payableAmount(activeView) : activeView.order.amount_due;
    const amount = group ? chosenAmount(choice, due) : due;
    const mine = myPaidPayment(activeView);
    return (
      <View data-testid='screen-active'>
        {notice !== undefined && (
          <View className='notice' data-testid='notice'>
            <Text>{notice}</Text>
          </View>
        )}
        {mine !== undefined && (
          <View className='notice notice--success'>
            <Text>{t.paidByYouDetail(formatYuan(mine.amount), activeView.link.requester.name)}</Text>
          </View>
        )}
        {group && <GroupProgress order={activeView.order} t={t} />}
        <LinkSummary
          view={activeView}
          t={t}
          footer={
            <View className='countdown'>
              <Text className='countdown__label'>{t.timeLeft}</Text>
              <Text className='countdown__value' data-testid='countdown'>
                {formatCountdown(msLeft, t)}
              </Text>
            </View>
          }
        />
        {group && <AmountPicker due={due} amounts={quickAmounts(due)} choice={choice} t={t} onChoose={setChoice} />}
        <View className='warning' data-testid='fraud-warning'>
          <Text>{t.fraudWarning}</Text>
        </View>
        <Button
          className='button' type='primary'
          disabled={amount === undefined}
          data-testid='pay-button'
          onClick={() => {
            if (amount !== undefined) void startPayment(group ? amount : undefined);
          }}
        >
          {t.payNow(formatYuan(amount ?? 0))}
        </Button>
        {group && <Contributors contributions={activeView.contributions} t={t} />}
      </View>
    );
  };

  const renderScreen = () => {
    switch (screen) {
      case 'loading':
        return <StatusScreen name='loading' tone='muted' title={t.loading} />;
      case 'invalid':
        return <StatusScreen name='invalid' tone='error' title={t.invalid} detail={t.invalidDetail} />;
      case 'network': {
        const error = flow.kind === 'failed' ? flow.error : load.kind === 'failed' ? load.error : undefined;
        return (
          <StatusScreen name='network' tone='error' title={t.networkError} detail={error === undefined ? undefined : t.problems[error.code]}>
            <Button className='button' type='primary' data-testid='retry-button' onClick={retryAfterFailure}>
              {t.retry}
            </Button>
          </StatusScreen>
        );
      }
      case 'active':
        return view === undefined ? null : renderActive(view);
      case 'paying':
        return <StatusScreen name='paying' tone='waiting' title={t.paying} detail={t.payingHint} />;
      case 'waiting': {
        const slow = flow.kind === 'waiting' && flow.slow;
        return (
          <StatusScreen name='waiting' tone='waiting' title={t.waiting} detail={slow ? t.waitingSlow : t.waitingHint}>
            {slow && flow.kind === 'waiting' && (
              <Button className='button' type='primary' plain data-testid='check-again' onClick={() => void waitForResult(flow.payment)}>
                {t.checkAgain}
              </Button>
            )}
          </StatusScreen>
        );
      }
      case 'paid-by-you': {
        const mine = flow.kind === 'paid' ? flow.payment : view === undefined ? undefined : myPaidPayment(view);
        const stillOpen = view !== undefined && group && view.link.status === 'active' && view.order.amount_due > 0;
        return (
          <StatusScreen
            name='paid-by-you'
            tone='success'
            title={t.paidByYou}
            detail={mine === undefined || view === undefined ? undefined : t.paidByYouDetail(formatYuan(mine.amount), view.link.requester.name)}
          >
            {mine !== undefined && mine.refunded_amount > 0 && <Text className='status__detail'>{t.refundedNote(formatYuan(mine.refunded_amount))}</Text>}
            {stillOpen && view !== undefined && (
              <View className='status__group'>
                <GroupProgress order={view.order} t={t} />
                <Text className='status__detail'>{t.groupStillOpen(formatYuan(view.order.amount_due))}</Text>
                <Button className='button' type='primary' plain data-testid='pay-more' onClick={() => setFlow({ kind: 'idle' })}>
                  {t.payMore}
                </Button>
              </View>
            )}
            <Button className='button' type='primary' openType='share' data-testid='share-back'>
              {t.shareBack}
            </Button>
          </StatusScreen>
        );
      }
      case 'paid-by-other':
        return (
          <StatusScreen name='paid-by-other' tone='muted' title={t.paidByOther} detail={t.paidByOtherDetail}>
            {view !== undefined && view.contributions.length > 0 && <Contributors contributions={view.contributions} t={t} />}
          </StatusScreen>
        );
      case 'expired':
        return <StatusScreen name='expired' tone='muted' title={t.expired} detail={t.expiredDetail} />;
      case 'revoked':
        return <StatusScreen name='revoked' tone='warning' title={t.revoked} detail={t.revokedDetail} />;
      case 'void': {
        const refunded = view?.my_payments.find((payment) => payment.refunded_amount > 0);
        return (
          <StatusScreen name='void' tone='muted' title={t.void} detail={t.voidDetail}>
            {refunded !== undefined && <Text className='status__detail'>{t.refundedNote(formatYuan(refunded.refunded_amount))}</Text>}
          </StatusScreen>
        );
      }
      case 'busy': {
        // `now` may lag a tick behind when the wait begins: never show more than the wait itself.
        const seconds = flow.kind === 'busy' ? Math.max(0, Math.min(Math.ceil(flow.waitMs / 1000), Math.ceil((flow.retryAt - now) / 1000))) : 0;
        return (
          <StatusScreen name='busy' tone='warning' title={t.busy} detail={t.busyDetail}>
            <Text className='status__detail' data-testid='busy-countdown'>
              {t.retryIn(seconds)}
            </Text>
            <Button className='button' type='primary' plain data-testid='retry-now' onClick={retryAfterFailure}>
              {t.retryNow}
            </Button>
          </StatusScreen>
        );
      }
    }
  };

  return (
    <View className='page pay-page' data-screen={screen}>
      {renderScreen()}
      {/* SANDBOX is a build constant: production builds drop the sandbox sheet altogether. */}
      {SANDBOX && flow.kind === 'sheet' && view !== undefined && (
        <SandboxPaySheet amount={flow.created.payment.amount} shopName={view.shop.name} t={t} acting={flow.acting} onChoose={(outcome) => void chooseInSheet(outcome)} />
      )}
    </View>
  );
}
