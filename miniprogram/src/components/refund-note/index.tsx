import { Text, View } from '@tarojs/components';
import type { PaymentRefundView } from '@shared/api-types';
import { formatYuan } from '@shared/money';
import type { RefundStatus } from '@shared/states';
import type { Messages } from '../../i18n/messages';
import './index.css';

/** Props of `RefundNote`. */
export interface RefundNoteProps {
  /** The refunds of the friend's own payments. */
  refunds: readonly PaymentRefundView[];
  t: Messages;
}

function sumOf(refunds: readonly PaymentRefundView[], statuses: readonly RefundStatus[]): number {
  return refunds.filter((refund) => statuses.includes(refund.status)).reduce((sum, refund) => sum + refund.amount, 0);
}

/**
 * What went back to the friend who paid: the money back the way they paid, what is still on its
 * way, and a refund their account could not take (the shop handles it). Nothing when nothing was
 * refunded; a refund WeChat closed moved no money and is not shown.
 */
export function RefundNote({ refunds, t }: RefundNoteProps) {
  const back = sumOf(refunds, ['succeeded']);
  const onItsWay = sumOf(refunds, ['pending', 'processing']);
  const stuck = sumOf(refunds, ['abnormal']);
  if (back === 0 && onItsWay === 0 && stuck === 0) return null;
  return (
    <View className='refund-note' data-testid='refund-note'>
      {back > 0 && (
        <Text className='refund-note__line refund-note__line--back' data-testid='refund-back'>
          {t.refundedBack(formatYuan(back))}
        </Text>
      )}
      {onItsWay > 0 && (
        <Text className='refund-note__line refund-note__line--pending' data-testid='refund-pending'>
          {t.refundPending(formatYuan(onItsWay))}
        </Text>
      )}
      {stuck > 0 && (
        <Text className='refund-note__line refund-note__line--stuck' data-testid='refund-stuck'>
          {t.refundStuck(formatYuan(stuck))}
        </Text>
      )}
    </View>
  );
}
