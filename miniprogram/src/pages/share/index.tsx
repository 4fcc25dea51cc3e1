import { View, Text } from '@tarojs/components';

export default function SharePage() {
  return (
    <View className='page'>
      <Text className='title'>分享给朋友</Text>
    </View>
  );
}
