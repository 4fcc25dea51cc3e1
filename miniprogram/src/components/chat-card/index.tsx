import { Text, View } from '@tarojs/components';
import type { CardView } from '@shared/api-types';
import type { Messages } from '../../i18n/messages';
import './index.css';

/** Props of `ChatCard`. */
export interface ChatCardProps {
  /** The card as the server last told WeChat; null before the link was first shared; undefined when unknown (the pay page). */
  card?: CardView | null;
  /** Sandbox builds: what the simulated chat renders on the card right now. @default undefined */
  sandboxText?: string | undefined;
  t: Messages;
}

/**
 * The link's updatable share card (动态消息): how many friends have paid as the chat shows it, and
 * whether it has ended. In the sandbox, also what the simulated chat shows, so QA sees it change.
 */
export function ChatCard({ card, sandboxText, t }: ChatCardProps) {
  if (card === undefined && sandboxText === undefined) return null;
  const percent = card === undefined || card === null || card.room_limit <= 0 ? 0 : Math.min(100, Math.floor((card.member_count * 100) / card.room_limit));
  return (
    <View className={`chat-card chat-card--${card?.state === 1 ? 'done' : 'open'}`} data-testid='chat-card' data-state={card === undefined || card === null ? 'none' : String(card.state)}>
      <Text className='chat-card__label'>{t.cardTitle}</Text>
      {card === null && <Text className='chat-card__title'>{t.cardNotShared}</Text>}
      {card !== undefined && card !== null && (
        <View>
          <Text className='chat-card__title' data-testid='chat-card-state'>
            {card.state === 1 ? `${t.cardDone} · ${t.cardOpen(card.member_count, card.room_limit)}` : t.cardOpen(card.member_count, card.room_limit)}
          </Text>
          <View className='chat-card__track'>
            <View className='chat-card__bar' style={{ width: `${card.state === 1 ? 100 : percent}%` }} />
          </View>
          {card.pending_updates > 0 && <Text className='chat-card__note'>{t.cardUpdating}</Text>}
        </View>
      )}
      {sandboxText !== undefined && (
        <Text className='chat-card__sandbox' data-testid='sandbox-card'>
          {t.cardSandbox(sandboxText)}
        </Text>
      )}
    </View>
  );
}
