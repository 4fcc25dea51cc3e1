import { Button, Text, View } from '@tarojs/components';
import { formatYuan } from '@shared/money';
import type { SandboxPayOutcome } from '../../api/sandbox-api';
import type { Messages } from '../../i18n/messages';
import './index.css';

/** Props of `SandboxPaySheet`. */
export interface SandboxPaySheetProps {
  /** In fen. */
  amount: number;
  shopName: string;
  t: Messages;
  /** True while the chosen action is being sent: buttons are disabled so nobody pays twice. */
  acting: boolean;
  onChoose: (outcome: SandboxPayOutcome) => void;
}

/**
 * Sandbox builds only: stands in for WeChat's pay sheet. Each button drives the WeChat Pay
 * simulator, which (for a confirmed payment) sends the server a real signed notification.
 */
export function SandboxPaySheet({ amount, shopName, t, acting, onChoose }: SandboxPaySheetProps) {
  return (
    <View className='sheet' data-testid='sandbox-pay-sheet'>
      <View className='sheet__mask' />
      <View className='sheet__panel'>
        <Text className='sheet__title'>{t.sheetTitle}</Text>
        <Text className='sheet__payee'>{t.sheetPayee(shopName)}</Text>
        <Text className='sheet__amount'>{formatYuan(amount)}</Text>
        <Text className='sheet__note'>{t.sheetNote}</Text>
        <Button className='button' type='primary' disabled={acting} onClick={() => onChoose('success')} data-testid='sheet-confirm'>
          {t.sheetConfirm}
        </Button>
        <Button className='button' type='primary' plain disabled={acting} onClick={() => onChoose('cancel')} data-testid='sheet-cancel'>
          {t.sheetCancel}
        </Button>
        <Button className='button' type='warn' plain disabled={acting} onClick={() => onChoose('fail')} data-testid='sheet-fail'>
          {t.sheetFail}
        </Button>
      </View>
    </View>
  );
}
