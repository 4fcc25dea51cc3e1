/**
 * One word for each state a person can see, in Chinese and English, used by the server's pages
 * (landing page) and the mini program's messages alike, so a revoked link is "已撤回" everywhere
 * and never "已撤销" on one page and "已被撤回" on another.
 */

/** The states people read about: a link's, one friend paying right now, money gone back. */
export type StateWord = 'active' | 'paying' | 'paid' | 'expired' | 'revoked' | 'void' | 'refunded';

/** The words of one language. */
export type StateWords = Readonly<Record<StateWord, string>>;

/** The glossary: a short word per state, used on its own (a badge) or inside a sentence. */
export const stateWords: Readonly<{ zh: StateWords; en: StateWords }> = {
  zh: {
    active: '等待付款',
    paying: '正在付款',
    paid: '已付款',
    expired: '已过期',
    revoked: '已撤回',
    void: '已失效',
    refunded: '已退款',
  },
  en: {
    active: 'Waiting for payment',
    paying: 'Being paid',
    paid: 'Paid',
    expired: 'Expired',
    revoked: 'Withdrawn',
    void: 'No longer valid',
    refunded: 'Refunded',
  },
};

/** `已撤回 · Withdrawn`: the badge of pages that speak both languages at once. */
export function bilingualState(state: StateWord): string {
  return `${stateWords.zh[state]} · ${stateWords.en[state]}`;
}
