import type { ReactNode } from 'react';
import { Image, Text, View } from '@tarojs/components';
import type { FriendView, OrderItem } from '@shared/api-types';
import { formatYuan } from '@shared/money';
import { itemLine } from '@shared/order-items';
import type { Messages } from '../../i18n/messages';
import './index.css';

/** Props of `LinkSummary`. */
export interface LinkSummaryProps {
  view: FriendView;
  t: Messages;
  /** Shown under the amount, e.g. the live countdown. @default undefined */
  footer?: ReactNode;
}

function ItemRow({ item }: { item: OrderItem }) {
  // One rule with the landing page: "¥44.00 × 2" under the title, the line total on the right.
  const line = itemLine(item);
  return (
    <View className='item'>
      {item.image_url !== undefined && item.image_url !== '' ? (
        <Image className='item__picture' src={item.image_url} mode='aspectFill' />
      ) : (
        // No picture: a tile with the first character keeps the rows aligned.
        <View className='item__picture item__picture--empty'>
          <Text>{Array.from(item.title)[0] ?? '?'}</Text>
        </View>
      )}
      <View className='item__text'>
        <Text className='item__title'>{item.title}</Text>
        <Text className='item__quantity'>{line.unitText}</Text>
      </View>
      <Text className='item__price'>{line.totalText}</Text>
    </View>
  );
}

/** Who asks, for what and how much: the part of a link both the friend and the shopper see. */
export function LinkSummary({ view, t, footer }: LinkSummaryProps) {
  const { requester, message } = view.link;
  // Once nothing is due (paid, or the link ended after friends paid): what was paid, not "¥0.00 due".
  const showPaid = view.order.amount_due === 0 && view.order.amount_paid > 0;
  return (
    <View className='summary'>
      <View className='summary__requester'>
        {requester.avatar_url !== null && requester.avatar_url !== '' ? (
          <Image className='summary__avatar' src={requester.avatar_url} mode='aspectFill' />
        ) : (
          <View className='summary__avatar summary__avatar--empty'>
            <Text>{Array.from(requester.name)[0] ?? '?'}</Text>
          </View>
        )}
        <View className='summary__who'>
          <Text className='summary__asks' data-testid='requester'>{t.asksYouToPay(requester.name)}</Text>
          {message !== null && message !== '' && <Text className='summary__message'>“{message}”</Text>}
        </View>
      </View>
      <View className='summary__shop'>
        <Text className='summary__label'>{t.shop}</Text>
        <Text className='summary__shop-name' data-testid='shop-name'>{view.shop.name}</Text>
      </View>
      <View className='summary__items'>
        {view.order.items.map((item, index) => (
          <ItemRow key={`${index}-${item.title}`} item={item} />
        ))}
      </View>
      <View className='summary__amount'>
        <Text className='summary__label'>{showPaid ? t.amountPaid : t.amountDue}</Text>
        <Text className='summary__amount-value' data-testid={showPaid ? 'amount-paid' : 'amount-due'}>
          {formatYuan(showPaid ? view.order.amount_paid : view.order.amount_due)}
        </Text>
      </View>
      {footer}
    </View>
  );
}
