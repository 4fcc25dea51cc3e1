import { Text, View } from '@tarojs/components';
import type { PublicContribution } from '@shared/api-types';
import { formatYuan } from '@shared/money';
import { formatShortTime } from '../../format';
import type { Messages } from '../../i18n/messages';
import './index.css';

/** Props of `Contributors`. */
export interface ContributorsProps {
  contributions: PublicContribution[];
  t: Messages;
}

/** The friends who have paid (masked), how much and when. */
export function Contributors({ contributions, t }: ContributorsProps) {
  return (
    <View className='contributors' data-testid='contributors'>
      <Text className='contributors__title'>{t.contributors}</Text>
      {contributions.length === 0 ? (
        <Text className='contributors__empty'>{t.noContributors}</Text>
      ) : (
        contributions.map((contribution, index) => (
          <View className='contributor' key={`${index}-${contribution.paid_at}`}>
            <Text className='contributor__payer'>{contribution.payer}</Text>
            <Text className='contributor__when'>{t.paidAt(formatShortTime(contribution.paid_at))}</Text>
            <Text className='contributor__amount'>{formatYuan(contribution.amount)}</Text>
          </View>
        ))
      )}
    </View>
  );
}
