import { useMemo } from 'react';
import { View, Text } from '@tarojs/components';
import { useRouter } from '@tarojs/taro';

/** The friend's pay page, opened from a share card (`?t=`) or a mini program code (`?scene=`). */
export default function PayPage() {
  const { params } = useRouter();
  const ref = useMemo(() => {
    const raw = params.t ?? params.scene;
    if (raw === undefined || raw === '') return undefined;
    try {
      return decodeURIComponent(raw);
    } catch {
      return raw;
    }
  }, [params.t, params.scene]);

  return (
    <View className='page'>
      <Text className='title'>帮朋友付款</Text>
      <Text className='line'>{ref === undefined ? '没有付款链接' : `付款链接：${ref}`}</Text>
    </View>
  );
}
