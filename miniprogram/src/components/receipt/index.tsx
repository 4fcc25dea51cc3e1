import { Text, View } from '@tarojs/components';
import type { FriendView, PaymentView } from '@shared/api-types';
import { formatChinaSecondTime } from '@shared/china-time';
import { formatYuan } from '@shared/money';
import { itemLine } from '@shared/order-items';
import type { Messages } from '../../i18n/messages';
import './index.css';

/** Props of `Receipt`. */
export interface ReceiptProps {
  view: FriendView;
  /** The friend's payment that went through. */
  payment: PaymentView;
  t: Messages;
}

/** A label and its value; `stacked` puts a long number under its label, where it fits on one line. */
function Row({ label, value, testId, stacked = false }: { label: string; value: string; testId?: string; stacked?: boolean }) {
  return (
    <View className={`receipt__row${stacked ? ' receipt__row--stacked' : ''}`}>
      <Text className='receipt__label'>{label}</Text>
      <Text className={`receipt__value${stacked ? ' receipt__value--number' : ''}`} data-testid={testId}>{value}</Text>
    </View>
  );
}

/**
 * What the friend keeps after paying: the shop, the items, how much, when (China time), WeChat
 * Pay's transaction number, and that the friend who asked has been told.
 */
export function Receipt({ view, payment, t }: ReceiptProps) {
  const paidAt = payment.paid_at === null ? '' : `${formatChinaSecondTime(payment.paid_at)}（${t.chinaTime}）`;
  return (
    <View className='receipt' data-testid='receipt'>
      <Text className='receipt__title'>{t.receiptTitle}</Text>
      <Row label={t.receiptShop} value={view.shop.name} testId='receipt-shop' />
      <View className='receipt__items'>
        <Text className='receipt__label'>{t.receiptItems}</Text>
        {view.order.items.map((item, index) => {
          const line = itemLine(item);
          return (
            <View className='receipt__item' key={`${index}-${item.title}`}>
              <Text className='receipt__item-title'>{line.title}</Text>
              <Text className='receipt__item-unit'>{line.unitText}</Text>
              <Text className='receipt__item-total'>{line.totalText}</Text>
            </View>
          );
        })}
      </View>
      <Row label={t.receiptAmount} value={formatYuan(payment.amount)} testId='receipt-amount' />
      <Row label={t.receiptTime} value={paidAt} testId='receipt-time' />
      {payment.transaction_id !== null && <Row label={t.receiptTransaction} value={payment.transaction_id} testId='receipt-transaction' stacked />}
      <Row label={t.receiptOrder} value={view.order.shop_order_id} stacked />
      <Text className='receipt__notified' data-testid='receipt-notified'>{t.notified(view.link.requester.name)}</Text>
    </View>
  );
}
