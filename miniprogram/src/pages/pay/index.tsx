import { Button, Input, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import type { FriendView, PaymentView } from '@shared/api-types';
import { formatYuan } from '@shared/money';
import { AmountPicker, chosenAmount } from '../../components/amount-picker';
import { Contributors } from '../../components/contributors';
import { GroupProgress } from '../../components/group-progress';
import { ChatCard } from '../../components/chat-card';
import { LinkSummary } from '../../components/link-summary';
import { Receipt } from '../../components/receipt';
import { RefundNote } from '../../components/refund-note';
import { SandboxPaySheet } from '../../components/sandbox-pay-sheet';
import { StatusScreen } from '../../components/status-screen';
import { formatCountdown } from '../../format';
import { useMessages } from '../../i18n/locale';
import { myPaidPayment, payableAmount, quickAmounts } from './pay-state';
import { PAYER_NAME_MAX, usePayFlow } from './use-pay-flow';
import './index.css';

/** The QA page of sandbox builds (pages/dev is compiled only into them). */
const QA_PAGE = '/pages/dev/index';

/** Copies `text` and says so: what the H5 build offers where WeChat would share to a chat. */
function copyText(text: string, done: string): void {
  void Taro.setClipboardData({ data: text }).then(() => Taro.showToast({ title: done, icon: 'none' }));
}

/** The friend's pay page, opened from a share card (`?t=`), a mini program code (`?scene=`) or a URL (`?code=`). */
export default function PayPage() {
  const { t } = useMessages();
  const { screen, load, flow, view, refunds, now, msLeft, choice, choose, payerName, setPayerName, pay, answerSheet, checkAgain, retry, payMore, notifyRefunds, notify, sandboxCard } = usePayFlow(t);

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
        {activeView.link.audience === 'private' && (
          <View className='notice' data-testid='private-note'>
            <Text>{t.privateTitle}</Text>
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
        {group && <AmountPicker due={due} amounts={quickAmounts(due)} choice={choice} t={t} onChoose={choose} />}
        <View className='payer-name'>
          <View className='payer-name__field'>
            <Text className='payer-name__label'>{t.payerNameLabel}</Text>
            <Input
              className='payer-name__input'
              value={payerName}
              maxlength={PAYER_NAME_MAX}
              placeholder={t.payerNamePlaceholder}
              data-testid='payer-name'
              onInput={(event) => setPayerName(event.detail.value)}
            />
          </View>
          <Text className='payer-name__hint'>{t.payerNameHint(activeView.link.requester.name)}</Text>
        </View>
        <View className='warning' data-testid='fraud-warning'>
          <Text>{t.fraudWarning}</Text>
        </View>
        <Button
          className='button' type='primary'
          disabled={amount === undefined}
          data-testid='pay-button'
          onClick={() => {
            if (amount !== undefined) pay(group ? amount : undefined);
          }}
        >
          {t.payNow(formatYuan(amount ?? 0))}
        </Button>
        {group && <Contributors contributions={activeView.contributions} t={t} />}
        <ChatCard sandboxText={sandboxCard?.text} t={t} />
      </View>
    );
  };

  /** After paying: in WeChat a share card back to the friend; outside it (H5) a line to copy. */
  const renderShareBack = (mine: PaymentView | undefined) => {
    if (process.env.TARO_ENV !== 'h5') {
      return (
        <Button className='button' type='primary' openType='share' data-testid='share-back'>
          {t.shareBack}
        </Button>
      );
    }
    const message = mine === undefined || view === undefined ? t.shareBack : `${t.shareBackTitle(formatYuan(mine.amount))} · ${view.shop.name}`;
    return (
      <View className='outside-wechat' data-testid='share-back-outside-wechat'>
        <Text className='status__detail'>{t.shareBackOutsideWechat}</Text>
        <Button className='button' type='primary' data-testid='copy-for-them' onClick={() => copyText(message, t.copied)}>
          {t.copyForThem}
        </Button>
      </View>
    );
  };

  const renderScreen = () => {
    switch (screen) {
      case 'no-link':
        return (
          <StatusScreen name='no-link' tone='muted' title={t.noLink} detail={SANDBOX ? t.noLinkSandboxDetail : t.noLinkDetail}>
            {SANDBOX && (
              <Button className='button' type='primary' data-testid='open-qa' onClick={() => void Taro.navigateTo({ url: QA_PAGE })}>
                {t.openQaPage}
              </Button>
            )}
          </StatusScreen>
        );
      case 'loading':
        return <StatusScreen name='loading' tone='muted' title={t.loading} />;
      case 'invalid':
        return <StatusScreen name='invalid' tone='error' title={t.invalid} detail={t.invalidDetail} />;
      case 'network': {
        const error = flow.kind === 'failed' ? flow.error : load.kind === 'failed' ? load.error : undefined;
        return (
          <StatusScreen name='network' tone='error' title={t.networkError} detail={error === undefined ? undefined : t.problems[error.code]}>
            <Button className='button' type='primary' data-testid='retry-button' onClick={retry}>
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
              <Button className='button' type='primary' plain data-testid='check-again' onClick={checkAgain}>
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
            <RefundNote refunds={refunds} t={t} />
            {mine !== undefined && view !== undefined && <Receipt view={view} payment={mine} t={t} />}
            {stillOpen && view !== undefined && (
              <View className='status__group'>
                <GroupProgress order={view.order} t={t} />
                <Text className='status__detail'>{t.groupStillOpen(formatYuan(view.order.amount_due))}</Text>
                <Button className='button' type='primary' plain data-testid='pay-more' onClick={payMore}>
                  {t.payMore}
                </Button>
              </View>
            )}
            {view?.subscribe_templates?.refund !== undefined && (
              <Button className='button' type='primary' plain disabled={notify === 'asking' || notify === 'on'} data-testid='notify-refunds' onClick={notifyRefunds}>
                {notify === 'on' ? t.notifyOn : t.notifyRefund}
              </Button>
            )}
            {notify === 'failed' && <Text className='status__detail'>{t.notifyFailed}</Text>}
            {renderShareBack(mine)}
            <ChatCard sandboxText={sandboxCard?.text} t={t} />
          </StatusScreen>
        );
      }
      case 'proving':
        return <StatusScreen name='proving' tone='waiting' title={t.proving} />;
      case 'private':
        return (
          <StatusScreen name='private' tone='warning' title={t.privateTitle} detail={t.privateDetail}>
            {view !== undefined && <Text className='status__detail'>{t.asksYouToPay(view.link.requester.name)}</Text>}
          </StatusScreen>
        );
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
      case 'void':
        return (
          <StatusScreen name='void' tone='muted' title={t.void} detail={t.voidDetail}>
            <RefundNote refunds={refunds} t={t} />
          </StatusScreen>
        );
      case 'busy': {
        // `now` may lag a tick behind when the wait begins: never show more than the wait itself.
        const seconds = flow.kind === 'busy' ? Math.max(0, Math.min(Math.ceil(flow.waitMs / 1000), Math.ceil((flow.retryAt - now) / 1000))) : 0;
        return (
          <StatusScreen name='busy' tone='warning' title={t.busy} detail={t.busyDetail}>
            <Text className='status__detail' data-testid='busy-countdown'>
              {t.retryIn(seconds)}
            </Text>
            <Button className='button' type='primary' plain data-testid='retry-now' onClick={retry}>
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
        <SandboxPaySheet amount={flow.created.payment.amount} shopName={view.shop.name} t={t} acting={flow.acting} onChoose={answerSheet} />
      )}
    </View>
  );
}
