import { Input, Text, View } from '@tarojs/components';
import { formatYuan } from '@shared/money';
import { parseYuanInput } from '../../format';
import type { Messages } from '../../i18n/messages';
import './index.css';

/** What a group-mode friend picked: a one-tap amount, or text they are typing (yuan). Undefined = all that remains. */
export type AmountChoice = { kind: 'quick'; amount: number } | { kind: 'custom'; text: string } | undefined;

/** The amount (fen) a choice stands for, or undefined while what the friend typed is not one between 1 fen and `due`. */
export function chosenAmount(choice: AmountChoice, due: number): number | undefined {
  if (choice === undefined) return due;
  const amount = choice.kind === 'quick' ? choice.amount : parseYuanInput(choice.text);
  return amount !== undefined && amount >= 1 && amount <= due ? amount : undefined;
}

/** Props of `AmountPicker`. */
export interface AmountPickerProps {
  /** The most the friend may pay now, in fen. */
  due: number;
  /** The one-tap amounts in fen; the one equal to `due` reads "all remaining". */
  amounts: readonly number[];
  /** The friend's current choice. @default undefined (all that remains) */
  choice?: AmountChoice;
  t: Messages;
  /** Called on every tap and keystroke; choosing `due` reports `undefined`. */
  onChoose: (choice: AmountChoice) => void;
}

/** Group mode: one-tap amounts and a custom amount in yuan, with a hint while the typed amount is out of range. */
export function AmountPicker({ due, amounts, choice, t, onChoose }: AmountPickerProps) {
  const custom = choice?.kind === 'custom' ? choice.text : '';
  const invalidCustom = choice?.kind === 'custom' && choice.text.trim() !== '' && chosenAmount(choice, due) === undefined;
  return (
    <View className='picker' data-testid='amount-picker'>
      <Text className='picker__title'>{t.chooseAmount}</Text>
      <View className='picker__chips'>
        {amounts.map((amount) => {
          const selected = (choice === undefined && amount === due) || (choice?.kind === 'quick' && choice.amount === amount);
          return (
            <View
              key={amount}
              className={`chip${selected ? ' chip--selected' : ''}`}
              data-testid={`quick-amount-${amount}`}
              onClick={() => onChoose(amount === due ? undefined : { kind: 'quick', amount })}
            >
              <Text>{amount === due ? `${t.allRemaining} ${formatYuan(amount)}` : formatYuan(amount)}</Text>
            </View>
          );
        })}
      </View>
      <View className={`picker__custom${choice?.kind === 'custom' ? ' picker__custom--active' : ''}`}>
        <Text className='picker__custom-label'>{t.customAmount}</Text>
        <Input
          className='picker__input'
          type='digit'
          value={custom}
          placeholder={t.customAmountPlaceholder}
          data-testid='custom-amount'
          onInput={(event) => onChoose({ kind: 'custom', text: event.detail.value })}
        />
      </View>
      {invalidCustom && <Text className='picker__error'>{t.amountOutOfRange(formatYuan(due))}</Text>}
    </View>
  );
}
