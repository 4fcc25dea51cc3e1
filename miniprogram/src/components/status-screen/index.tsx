import type { ReactNode } from 'react';
import { Text, View } from '@tarojs/components';
import './index.css';

/** Props of `StatusScreen`. */
export interface StatusScreenProps {
  /** `success` green tick, `waiting` clock, `warning` amber, `error` red, `muted` grey. */
  tone: 'success' | 'waiting' | 'warning' | 'error' | 'muted';
  title: string;
  /** @default undefined */
  detail?: string;
  /** Buttons and extra content under the text. @default undefined */
  children?: ReactNode;
  /** Names the screen for tests and QA (`data-testid`). */
  name: string;
}

const ICONS: Record<StatusScreenProps['tone'], string> = {
  success: '✓',
  waiting: '⋯',
  warning: '!',
  error: '×',
  muted: '–',
};

/** A full-width message with an icon: the shape of every screen that is not the pay form. */
export function StatusScreen({ tone, title, detail, children, name }: StatusScreenProps) {
  return (
    <View className={`status status--${tone}`} data-testid={`screen-${name}`}>
      <View className='status__icon'>
        <Text>{ICONS[tone]}</Text>
      </View>
      <Text className='status__title'>{title}</Text>
      {detail !== undefined && <Text className='status__detail'>{detail}</Text>}
      {children}
    </View>
  );
}
