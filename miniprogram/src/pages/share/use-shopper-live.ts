/**
 * The shopper's live status in the chat, on the share page opened with their shopper token
 * (`?s=`): log in and bind to the link (the first WeChat user to bind is its shopper), get the
 * card's activity id and make the next share an updatable (or private) card, ask for "friend
 * paid" and "link expiring" messages after a tap, and in the sandbox watch the simulated chat.
 */
import { useCallback, useEffect, useState } from 'react';
import Taro from '@tarojs/taro';
import type { ActivityResponse, ShopperView } from '@shared/api-types';
import { askToSubscribe, shareAsUpdatableCard, subscriptionResults } from '../../api/chat';
import { hasCode } from '../../api/http';
import { sandboxCards, sandboxShare, type SandboxCard } from '../../api/sandbox-api';
import { currentFriend, withSession } from '../../api/session';
import { bindShopper, requestActivity, saveSubscriptions } from '../../api/share-api';
import type { Messages } from '../../i18n/messages';
import { payPagePath } from '../../links';

/** Who the sandbox shopper is unless the page says (`?as=`). */
export const SANDBOX_SHOPPER = 'sandbox-shopper';

/** How long before its activity id expires the page asks for a new card (the server's reuse margin). */
const ACTIVITY_RENEW_MS = 10 * 60 * 1000;

/** Where binding the shopper stands: `other` means another WeChat user was bound first. */
export type Binding = 'pending' | 'bound' | 'other' | 'failed';

/** What the share page shows and does for the shopper. */
export interface ShopperLive {
  binding: Binding;
  /** The card's activity id once the server made it. */
  activity: ActivityResponse | undefined;
  /** What the simulated chat shows on the newest card (sandbox builds). */
  sandboxCard: SandboxCard | undefined;
  /** Where asking for notifications stands. */
  notify: 'idle' | 'asking' | 'on' | 'failed';
  /** Asks for "friend paid" and "link expiring" messages; call it from a tap. */
  askForNotifications: () => void;
  /** Sandbox builds: shares the card to `friend` in the simulated chat; resolves to the pay page path they open it with. */
  shareInSandbox: (friend: string) => Promise<string | undefined>;
}

/** The shopper's side of the share page for `shopperToken` (undefined: the page was opened with a link token). */
export function useShopperLive(shopperToken: string | undefined, view: ShopperView | undefined, params: Record<string, string | undefined>, t: Messages): ShopperLive {
  // Sandbox builds: the shopper is a simulated WeChat user of their own, not the friend QA chose.
  const shopper = currentFriend(SANDBOX ? (params.as ?? SANDBOX_SHOPPER) : undefined);
  const [binding, setBinding] = useState<Binding>('pending');
  const [activity, setActivity] = useState<ActivityResponse | undefined>(undefined);
  const [sandboxCard, setSandboxCard] = useState<SandboxCard | undefined>(undefined);
  const [notify, setNotify] = useState<ShopperLive['notify']>('idle');
  const active = view?.link.status === 'active';
  const isPrivate = view?.link.audience === 'private';
  // A page left open for a day: the server makes a new activity id ten minutes before the old one
  // expires, so the page asks again then (the view's polling notices) and shares the new card.
  const activityStale = activity !== undefined && view !== undefined && Date.parse(activity.expires_at) - Date.parse(view.server_time) < ACTIVITY_RENEW_MS;

  useEffect(() => {
    if (shopperToken === undefined || !active || binding !== 'pending') return;
    let cancelled = false;
    withSession(shopper, (session) => bindShopper(shopperToken, session.token)).then(
      () => !cancelled && setBinding('bound'),
      (error: unknown) => !cancelled && setBinding(hasCode(error, 'SHOPPER_BOUND') ? 'other' : 'failed'),
    );
    return () => {
      cancelled = true;
    };
  }, [shopperToken, active, binding, shopper]);

  useEffect(() => {
    if (shopperToken === undefined || !active || binding !== 'bound' || (activity !== undefined && !activityStale)) return;
    let cancelled = false;
    void requestActivity(shopperToken).then(
      async (made) => {
        if (cancelled) return;
        setActivity(made);
        // Whatever the share button or menu sends next is this card.
        await shareAsUpdatableCard(made, isPrivate).catch(() => undefined);
      },
      () => undefined,
    );
    return () => {
      cancelled = true;
    };
  }, [shopperToken, active, binding, activity, activityStale, isPrivate]);

  // The sandbox shows what its simulated chat shows, following the view's polling.
  useEffect(() => {
    if (!SANDBOX || shopperToken === undefined || view === undefined) return;
    let cancelled = false;
    sandboxCards(shopperToken).then(
      (cards) => !cancelled && setSandboxCard(cards[0]),
      () => undefined,
    );
    return () => {
      cancelled = true;
    };
  }, [shopperToken, view]);

  const askForNotifications = useCallback(() => {
    if (shopperToken === undefined || view === undefined) return;
    const templates = [view.subscribe_templates.friend_paid, view.subscribe_templates.link_expiring].filter((id): id is string => id !== undefined);
    if (templates.length === 0) return;
    setNotify('asking');
    withSession(shopper, async (session) => {
      const answers = await askToSubscribe(templates, session.openid);
      return saveSubscriptions(session.token, { link: shopperToken, templates: subscriptionResults(templates, answers) });
    }).then(
      (saved) => {
        setNotify(saved.subscriptions.length > 0 ? 'on' : 'idle');
        if (saved.subscriptions.length > 0) void Taro.showToast({ title: t.notifyOn, icon: 'success' });
      },
      () => setNotify('failed'),
    );
  }, [shopperToken, view, shopper, t]);

  const shareInSandbox = useCallback(async (friend: string): Promise<string | undefined> => {
    if (activity === undefined || view === undefined) return undefined;
    const from = await withSession(shopper, (session) => Promise.resolve(session.openid ?? SANDBOX_SHOPPER));
    const ticket = await sandboxShare(activity.activity_id, from, [friend], activity.template_info);
    return `${payPagePath(view.link.token)}&friend=${encodeURIComponent(friend)}&share_ticket=${encodeURIComponent(ticket)}`;
  }, [activity, view, shopper]);

  return { binding, activity, sandboxCard, notify, askForNotifications, shareInSandbox };
}
