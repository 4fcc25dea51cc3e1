import { Text, View } from '@tarojs/components';
import type { FriendView } from '@shared/api-types';
import { formatYuan } from '@shared/money';
import type { Messages } from '../../i18n/messages';
import './index.css';

/** Props of `GroupProgress`. */
export interface GroupProgressProps {
  order: FriendView['order'];
  t: Messages;
}

/** Group mode: how much of the order friends have paid so far, as a bar and in words. */
export function GroupProgress({ order, t }: GroupProgressProps) {
  const percent = order.amount_total > 0 ? Math.min(100, Math.floor((order.amount_paid * 100) / order.amount_total)) : 0;
  return (
    <View className='progress' data-testid='group-progress'>
      <View className='progress__head'>
        <Text className='progress__title'>{t.groupTitle}</Text>
        <Text className='progress__numbers'>{t.groupProgress(formatYuan(order.amount_paid), formatYuan(order.amount_total))}</Text>
      </View>
      <View className='progress__track'>
        <View className='progress__bar' style={{ width: `${percent}%` }} />
      </View>
      {order.amount_due > 0 && <Text className='progress__remaining'>{t.remaining(formatYuan(order.amount_due))}</Text>}
    </View>
  );
}
