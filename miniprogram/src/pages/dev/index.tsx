import { useState } from 'react';
import { View, Text } from '@tarojs/components';
import { formatYuan } from '@shared/money';

/** QA page: shows the build-time configuration. */
export default function DevPage() {
  const [sample] = useState(12345);
  return (
    <View className='page'>
      <Text className='title'>QA</Text>
      <Text className='line'>API: {API_BASE_URL === '' ? '(same origin)' : API_BASE_URL}</Text>
      <Text className='line'>Sandbox: {SANDBOX ? 'yes' : 'no'}</Text>
      <Text className='line'>Sample: {formatYuan(sample)}</Text>
    </View>
  );
}
