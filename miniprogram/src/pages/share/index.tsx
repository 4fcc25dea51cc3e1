import { useCallback, useEffect, useMemo, useState } from 'react';
import { Button, Canvas, Text, View } from '@tarojs/components';
import Taro, { useDidHide, useDidShow, useRouter, useShareAppMessage } from '@tarojs/taro';
import type { FriendView, ShopperView } from '@shared/api-types';
import { linkRefFromQuery } from '@shared/link-ref';
import { formatYuan } from '@shared/money';
import { fetchFriendView } from '../../api/friend-api';
import { fetchShopperView } from '../../api/share-api';
import { ApiError } from '../../api/http';
import { ChatCard } from '../../components/chat-card';
import { Contributors } from '../../components/contributors';
import { GroupProgress } from '../../components/group-progress';
import { LinkSummary } from '../../components/link-summary';
import { StatusScreen } from '../../components/status-screen';
import { formatShortTime } from '../../format';
import { useMessages } from '../../i18n/locale';
import type { Messages } from '../../i18n/messages';
import { payPageBrowserUrl, payPagePath } from '../../links';
import { loadCodeImage } from '../../poster/code-image';
import { POSTER_HEIGHT, POSTER_WIDTH, drawPoster, posterFileName, posterScale, type PosterContext } from '../../poster/poster';
import { useShopperLive } from './use-shopper-live';
import './index.css';

/** How often the shopper's page asks whether a friend has paid. */
export const SHARE_POLL_MS = 3000;
/** The poster canvas's id, for the selector query that finds its node. */
const POSTER_CANVAS_ID = 'share-poster';

/** A canvas node as both runtimes hand it out: WeChat's `Canvas` and the browser's `HTMLCanvasElement`. */
interface PosterCanvasNode {
  width: number;
  height: number;
  getContext(type: '2d'): unknown;
  /** WeChat's canvas makes the images it draws; a browser's does not. */
  createImage?: () => unknown;
}

/**
 * The link's URL for people outside WeChat: the short `/p/{code}` URL from the friend view; until
 * the view has loaded, the H5 pay page, which works in any browser too.
 */
export function shareableUrl(view: FriendView | undefined, token: string): string {
  return view !== undefined && view.link.url !== '' ? view.link.url : payPageBrowserUrl(token);
}

function toApiError(error: unknown): ApiError {
  return error instanceof ApiError ? error : new ApiError('UNEXPECTED_RESPONSE', 0, String(error));
}

function findPosterCanvas(): Promise<PosterCanvasNode | undefined> {
  return new Promise((resolve) => {
    Taro.createSelectorQuery()
      .select(`#${POSTER_CANVAS_ID}`)
      .node((result) => {
        // A 2D canvas node (WeChat's Canvas or an HTMLCanvasElement); null until the canvas exists.
        const node: unknown = result?.node;
        resolve(typeof node === 'object' && node !== null && 'getContext' in node ? (node as PosterCanvasNode) : undefined);
      })
      .exec();
  });
}

function pixelRatio(): number {
  try {
    return Taro.getWindowInfo().pixelRatio || 2;
  } catch {
    return 2;
  }
}

/** Draws the poster into the canvas node; false when the canvas is not there (yet). */
async function renderPoster(view: FriendView, token: string, t: Messages): Promise<PosterCanvasNode | undefined> {
  // The mini program creates the native canvas a moment after React renders it: look a few times.
  for (let tries = 0; tries < 10; tries += 1) {
    const canvas = await findPosterCanvas();
    const context = canvas?.getContext('2d') as PosterContext | null | undefined;
    if (canvas !== undefined && context !== null && context !== undefined) {
      // The link's mini program code, the one WeChat opens from a poster; its URL's QR code if it cannot be had.
      const codeImage = await loadCodeImage(canvas, view.link.qr_url);
      const ratio = posterScale(pixelRatio());
      canvas.width = POSTER_WIDTH * ratio;
      canvas.height = POSTER_HEIGHT * ratio;
      drawPoster(
        context,
        {
          headline: t.asksYouToPay(view.link.requester.name),
          amount: formatYuan(view.order.amount_due),
          shopName: view.shop.name,
          hint: t.posterScanHint,
          url: shareableUrl(view, token),
          ...(codeImage === undefined ? {} : { codeImage }),
        },
        ratio,
      );
      return canvas;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return undefined;
}

/**
 * WeChat draws the poster to a temporary file with a random name: copied first to a file named for
 * the shop and order, so that a phone whose album keeps file names shows which poster it is. A
 * failed copy (storage full) still saves the poster, under WeChat's name.
 */
async function namedPosterFile(tempFilePath: string, fileName: string): Promise<string> {
  const folder = Taro.env.USER_DATA_PATH;
  if (folder === undefined || folder === '') return tempFilePath;
  const destPath = `${folder}/${fileName}`;
  try {
    await new Promise<void>((resolve, reject) => {
      Taro.getFileSystemManager().copyFile({ srcPath: tempFilePath, destPath, success: () => resolve(), fail: reject });
    });
    return destPath;
  } catch {
    return tempFilePath;
  }
}

/** Saves a drawn poster named after the shop and order: to the album in WeChat, as a downloaded PNG in a browser. */
async function savePoster(canvas: PosterCanvasNode, fileName: string): Promise<void> {
  if (process.env.TARO_ENV === 'h5') {
    const link = document.createElement('a');
    link.href = (canvas as unknown as HTMLCanvasElement).toDataURL('image/png');
    link.download = fileName;
    document.body.appendChild(link);
    link.click();
    link.remove();
    return;
  }
  const { tempFilePath } = await Taro.canvasToTempFilePath({ canvas: canvas as unknown as Taro.Canvas });
  await Taro.saveImageToPhotosAlbum({ filePath: await namedPosterFile(tempFilePath, fileName) });
}

interface LiveStatusProps {
  view: FriendView;
  t: Messages;
}

/** What the shopper wants to know: has anyone paid, who, when; or why the link is over. */
function LiveStatus({ view, t }: LiveStatusProps) {
  const { status, paying, mode } = view.link;
  let tone = 'waiting';
  let title = t.statusWaiting;
  if (status === 'paid' && view.order.amount_paid > 0 && view.order.amount_refunded >= view.order.amount_paid) {
    // Paid, then all of it went back to the friends (the shop refunded the order).
    tone = 'over';
    title = t.statusRefunded;
  } else if (status === 'paid') {
    tone = 'paid';
    title = t.statusPaid;
  } else if (status === 'expired') {
    tone = 'over';
    title = t.statusExpired;
  } else if (status === 'revoked') {
    tone = 'over';
    title = t.statusRevoked;
  } else if (status === 'void') {
    tone = 'over';
    title = t.statusVoid;
  } else if (paying || view.order.amount_reserved > 0) {
    tone = 'paying';
    title = t.statusPaying;
  }
  return (
    <View className={`live live--${tone}`} data-testid='share-status' data-status={status}>
      <Text className='live__label'>{t.liveStatus}</Text>
      <Text className='live__title'>{title}</Text>
      {status === 'paid' &&
        view.contributions.map((contribution, index) => (
          <Text className='live__detail' key={`${index}-${contribution.paid_at}`}>
            {t.statusPaidBy(contribution.payer, formatShortTime(contribution.paid_at))}
            {mode === 'group' ? ` · ${formatYuan(contribution.amount)}` : ''}
          </Text>
        ))}
      {/* Money that went back, whatever the link's state: the shopper sees each friend got theirs. */}
      {view.contributions
        .filter((contribution) => (contribution.refunded_amount ?? 0) > 0)
        .map((contribution, index) => (
          <Text className='live__detail live__detail--refund' data-testid='share-refund' key={`refund-${index}-${contribution.paid_at}`}>
            {t.statusRefundedTo(contribution.payer, formatYuan(contribution.refunded_amount ?? 0))}
          </Text>
        ))}
    </View>
  );
}

/** True for the shopper's own view (opened with the shopper token) rather than the friend view. */
function isShopperView(view: FriendView | undefined): view is ShopperView {
  return view !== undefined && 'card' in view;
}

/** The sandbox friends QA can send the card to from the share page. */
const SANDBOX_RECIPIENTS = ['sandbox-friend-a'];

/**
 * The shopper's page: share card, link, QR poster and live status. Opened with the shopper token
 * (`?s=`, what the shop app opens) it also binds the shopper, shares an updatable card and offers
 * notifications; opened with the link's own token (`?t=`) it shows the friend's view of it.
 */
export default function SharePage() {
  const { t } = useMessages();
  const { params } = useRouter();
  const shopperToken = params.s === undefined || params.s === '' ? undefined : params.s;
  const { t: tokenParam, scene, code, q } = params;
  const linkRef = useMemo(() => linkRefFromQuery({ t: tokenParam, scene, code, q }), [tokenParam, scene, code, q]);
  const [view, setView] = useState<FriendView | undefined>(undefined);
  const shopperView = isShopperView(view) ? view : undefined;
  // The pay link's token: the shopper's view carries it; a `?t=` page was opened with it.
  const token = shopperToken === undefined ? linkRef : shopperView?.link.token;
  const source = shopperToken ?? linkRef;
  const live = useShopperLive(shopperToken, shopperView, params, t);
  const [sandboxPayPath, setSandboxPayPath] = useState<string | undefined>(undefined);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const [visible, setVisible] = useState(true);
  const [attempt, setAttempt] = useState(0);
  const [poster, setPoster] = useState<'none' | 'drawing' | 'ready' | 'failed'>('none');
  const [posterCanvas, setPosterCanvas] = useState<PosterCanvasNode | undefined>(undefined);

  // The page config's title is Chinese; English-speaking shoppers get theirs.
  useEffect(() => {
    void Taro.setNavigationBarTitle({ title: t.shareTitle });
  }, [t]);

  // Polling stops while the page is hidden (WeChat keeps hidden pages alive) and once the link is over.
  useDidShow(() => setVisible(true));
  useDidHide(() => setVisible(false));

  useEffect(() => {
    if (source === undefined || !visible) return undefined;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async (): Promise<void> => {
      try {
        const next: FriendView = shopperToken === undefined ? await fetchFriendView(source) : await fetchShopperView(source);
        if (stopped) return;
        setView(next);
        setError(undefined);
        if (next.link.status !== 'active') return;
      } catch (caught: unknown) {
        if (stopped) return;
        const apiError = toApiError(caught);
        setError(apiError);
        if (!apiError.transient) return;
      }
      timer = setTimeout(() => void tick(), SHARE_POLL_MS);
    };
    void tick();
    return () => {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [source, shopperToken, visible, attempt]);

  useEffect(() => {
    if (poster !== 'drawing' || view === undefined || token === undefined) return;
    let cancelled = false;
    void renderPoster(view, token, t).then((canvas) => {
      if (cancelled) return;
      setPosterCanvas(canvas);
      setPoster(canvas === undefined ? 'failed' : 'ready');
    });
    return () => {
      cancelled = true;
    };
  }, [poster, view, token, t]);

  useShareAppMessage(() => ({
    title: view === undefined ? t.shareTitle : t.shareCardTitle(formatYuan(view.order.amount_due)),
    path: token === undefined ? '/pages/pay/index' : payPagePath(token),
  }));

  const copyLink = useCallback(() => {
    if (token === undefined) return;
    void Taro.setClipboardData({ data: shareableUrl(view, token) }).then(() => {
      // WeChat says "内容已复制" by itself; a browser says nothing.
      if (process.env.TARO_ENV === 'h5') void Taro.showToast({ title: t.linkCopied, icon: 'none' });
    });
  }, [view, token, t]);

  const save = useCallback(() => {
    if (posterCanvas === undefined || view === undefined) return;
    savePoster(posterCanvas, posterFileName(view.shop.name, view.order.shop_order_id)).then(
      () => void Taro.showToast({ title: t.posterSaved, icon: 'success' }),
      () => void Taro.showToast({ title: t.posterFailed, icon: 'none' }),
    );
  }, [posterCanvas, view, t]);

  if (source === undefined || (view === undefined && error !== undefined && !error.transient)) {
    return (
      <View className='page share-page'>
        <StatusScreen name='invalid' tone='error' title={t.invalid} detail={t.invalidDetail} />
      </View>
    );
  }
  if (view === undefined && error !== undefined) {
    return (
      <View className='page share-page'>
        <StatusScreen name='network' tone='error' title={t.networkError} detail={t.problems[error.code]}>
          <Button className='button' type='primary' data-testid='retry-button' onClick={() => setAttempt((count) => count + 1)}>
            {t.retry}
          </Button>
        </StatusScreen>
      </View>
    );
  }
  if (view === undefined || token === undefined) {
    return (
      <View className='page share-page'>
        <StatusScreen name='loading' tone='muted' title={t.loading} />
      </View>
    );
  }

  // Another WeChat user is this link's shopper: this one may look, not share.
  const active = view.link.status === 'active' && live.binding !== 'other';
  const url = shareableUrl(view, token);
  const templates = shopperView?.subscribe_templates;
  const canNotify = shopperView !== undefined && active && (templates?.friend_paid !== undefined || templates?.link_expiring !== undefined);
  return (
    <View className='page share-page' data-testid='screen-share'>
      <LiveStatus view={view} t={t} />
      {error !== undefined && (
        <View className='notice' data-testid='notice'>
          <Text>{t.problems[error.code]}</Text>
        </View>
      )}
      {live.binding === 'other' && (
        <View className='notice' data-testid='shopper-bound'>
          <Text>{t.shopperBound}</Text>
        </View>
      )}
      {view.link.audience === 'private' && (
        <View className='notice' data-testid='private-note'>
          <Text>{t.privateLinkNote}</Text>
        </View>
      )}
      {shopperView !== undefined && <ChatCard card={shopperView.card} sandboxText={live.sandboxCard?.text} t={t} />}
      {view.link.mode === 'group' && <GroupProgress order={view.order} t={t} />}
      {view.link.mode === 'group' && view.contributions.length > 0 && <Contributors contributions={view.contributions} t={t} />}
      {active && (
        <View className='section' data-testid='share-actions'>
          {process.env.TARO_ENV === 'h5' ? (
            // A browser cannot share to a WeChat chat: say what the button does there, offer the copy.
            <Text className='share-page__hint' data-testid='send-outside-wechat'>
              {t.sendOutsideWechat}
            </Text>
          ) : (
            <Button className='button' type='primary' openType='share' data-testid='share-button'>
              {t.sendToFriend}
            </Button>
          )}
          {canNotify && (
            <Button className='button' type='primary' plain disabled={live.notify === 'asking' || live.notify === 'on'} data-testid='notify-button' onClick={live.askForNotifications}>
              {live.notify === 'on' ? t.notifyOn : t.notifyMe}
            </Button>
          )}
          {live.notify === 'failed' && <Text className='share-page__error'>{t.notifyFailed}</Text>}
          {SANDBOX && live.activity !== undefined && SANDBOX_RECIPIENTS.map((friend) => (
            <Button
              key={friend}
              className='button' type='default' plain
              data-testid={`sandbox-share-${friend}`}
              onClick={() => void live.shareInSandbox(friend).then(setSandboxPayPath, () => undefined)}
            >
              {t.sandboxShareTo(friend)}
            </Button>
          ))}
          {SANDBOX && sandboxPayPath !== undefined && (
            <Button className='button' type='default' data-testid='sandbox-open-pay' onClick={() => void Taro.navigateTo({ url: sandboxPayPath })}>
              {t.sandboxOpenAs(/friend=([^&]+)/.exec(sandboxPayPath)?.[1] ?? '')}
            </Button>
          )}
          <Button className='button' type='primary' plain={process.env.TARO_ENV !== 'h5'} data-testid='copy-link' onClick={copyLink}>
            {t.copyLink}
          </Button>
          <Text className='share-page__url' data-testid='link-url'>
            {url}
          </Text>
          {poster === 'none' || poster === 'failed' ? (
            <Button className='button' type='primary' plain data-testid='make-poster' onClick={() => setPoster('drawing')}>
              {t.makePoster}
            </Button>
          ) : (
            <View className='poster'>
              <Canvas
                type='2d'
                id={POSTER_CANVAS_ID}
                className='poster__canvas'
                style={{ width: `${POSTER_WIDTH}px`, height: `${POSTER_HEIGHT}px` }}
              />
              <Button className='button' type='primary' disabled={poster !== 'ready'} data-testid='save-poster' onClick={save}>
                {process.env.TARO_ENV === 'h5' ? t.downloadPoster : t.savePoster}
              </Button>
            </View>
          )}
          {poster === 'failed' && <Text className='share-page__error'>{t.posterFailed}</Text>}
        </View>
      )}
      {/* Friends see this summary only while they can pay; afterwards it is the order's record. */}
      <Text className='share-page__preview-title'>{view.link.status === 'active' ? t.previewTitle : t.orderDetailsTitle}</Text>
      <LinkSummary view={view} t={t} />
    </View>
  );
}
