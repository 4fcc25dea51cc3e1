import { useCallback, useEffect, useState } from 'react';
import { Button, Image, Input, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import type { DemoResponse, LinkResponse, SandboxWebhook, UrlLinkResponse } from '@shared/api-types';
import { formatChinaSecondTime } from '@shared/china-time';
import { stateWords } from '@shared/glossary';
import { formatYuan } from '@shared/money';
import type { LinkMode } from '@shared/states';
import { ApiError } from '../../api/http';
import {
  advanceClock,
  changeFaults,
  createDemo,
  fetchUrlLink,
  readClock,
  readFaults,
  readWebhooks,
  resetFaults,
  type SandboxClock,
  type SandboxFaults,
  type SandboxFaultsPatch,
  type SandboxPlatformApi,
  clearMessageFaults,
  createLiveDemo,
  readMessageFaults,
  setMessageFault,
  type SandboxMessageApi,
  type SandboxMessageFault,
} from '../../api/sandbox-api';
import { chooseSandboxFriend, chosenSandboxFriend } from '../../api/session';
import { cancelOrder, readLink, revokeLink } from '../../api/shop-api';
import { codeImageUrl, payPageBrowserUrl, payPageLaunchQueries, payPagePath, sharePageBrowserUrl, sharePagePath, shopperPageBrowserUrl, shopperPagePath, webOrigin } from '../../links';
import './index.css';

/** The last demo, kept so QA coming back from a pay page finds it again. */
const DEMO_KEY = 'friend-pay:dev-demo';

/** How often the QA page looks for webhooks the demo shop received. */
const WEBHOOK_POLL_MS = 3000;

/** Simulated friends QA can switch between (openids as the login simulator accepts them). */
const PRESET_FRIENDS = ['sandbox-friend-a', 'sandbox-friend-b', 'sandbox-friend-c'];

/** Clock moves: a minute, an hour, and past a default 24-hour link's expiry. */
const CLOCK_STEPS: { label: string; seconds: number }[] = [
  { label: '+1 min', seconds: 60 },
  { label: '+1 h', seconds: 3600 },
  { label: '+25 h (expire links)', seconds: 25 * 3600 },
];

/** One fault switch: how to read it from the current faults and what to send to flip it. */
interface FaultSwitch {
  id: string;
  label: string;
  isOn: (faults: SandboxFaults) => boolean;
  patch: (on: boolean) => SandboxFaultsPatch;
}

const FAULT_SWITCHES: FaultSwitch[] = [
  {
    id: 'notify-delay',
    label: 'Notifications delayed 10 s / 通知延迟',
    isOn: (faults) => faults.notifications.delay_ms > 0,
    patch: (on) => ({ notifications: { delay_ms: on ? 10_000 : 0 } }),
  },
  {
    id: 'notify-drop',
    label: 'Notifications dropped / 丢弃通知',
    isOn: (faults) => faults.notifications.drop,
    patch: (on) => ({ notifications: { drop: on } }),
  },
  {
    id: 'notify-duplicate',
    label: 'Notifications duplicated / 重复通知',
    isOn: (faults) => faults.notifications.duplicate,
    patch: (on) => ({ notifications: { duplicate: on } }),
  },
  {
    id: 'notify-reorder',
    label: 'Notifications reordered / 乱序通知',
    isOn: (faults) => faults.notifications.reorder,
    patch: (on) => ({ notifications: { reorder: on } }),
  },
  ...(['prepay', 'query', 'close', 'refund'] as const).map(
    (endpoint): FaultSwitch => ({
      id: `endpoint-${endpoint}`,
      label: `WeChat Pay ${endpoint} answers 5xx`,
      isOn: (faults) => faults.endpoints[endpoint] !== undefined,
      patch: (on) => ({ endpoints: { [endpoint]: on ? { fail: '5xx' } : null } }),
    }),
  ),
  {
    id: 'fail-next-close',
    label: 'Next close fails / 下次关单失败',
    isOn: (faults) => faults.fail_next_close,
    patch: (on) => ({ fail_next_close: on }),
  },
  {
    id: 'login-blocked',
    label: 'Login refused as high risk (40226)',
    isOn: (faults) => faults.login !== null,
    patch: (on) => ({ login: on ? { errcode: 40226 } : null }),
  },
  platformSwitch('wechat-code-quota', 'Mini program code quota used up (45009) / 小程序码额度用尽', ['getwxacodeunlimit'], 45009),
  platformSwitch('wechat-urllink-quota', 'URL Link quota used up (45009) / URL Link 额度用尽', ['generate_urllink'], 45009),
  platformSwitch('wechat-api-busy', 'Codes and URL Links: WeChat busy (-1) / 微信繁忙', ['getwxacodeunlimit', 'generate_urllink'], -1),
  platformSwitch('wechat-token-quota', 'Access token quota used up (45009) / access_token 额度用尽', ['stable_token'], 45009),
];

/** A switch making WeChat's server `apis` answer `errcode` until switched off. */
function platformSwitch(id: string, label: string, apis: SandboxPlatformApi[], errcode: number): FaultSwitch {
  return {
    id,
    label,
    isOn: (faults) => apis.every((api) => faults.wechat_api?.faults[api]?.errcode === errcode),
    patch: (on) => ({ wechat_api: { faults: Object.fromEntries(apis.map((api) => [api, on ? { errcode } : null])) } }),
  };
}

function readStoredDemo(): DemoResponse | undefined {
  const value: unknown = Taro.getStorageSync(DEMO_KEY);
  return typeof value === 'object' && value !== null && 'link' in value ? (value as DemoResponse) : undefined;
}

/** Ready-to-run curl lines for the demo, as a shop's backend would call the API. */
export function curlLines(demo: DemoResponse, origin: string): string[] {
  const auth = `-H 'Authorization: Bearer ${demo.shop.api_key}'`;
  return [
    `curl ${auth} ${origin}/v1/links/${demo.link.id}`,
    `curl ${auth} ${origin}/v1/orders/${demo.order.id}`,
    `curl ${auth} '${origin}/v1/orders?status=pending&limit=5'`,
    `curl -X POST ${auth} ${origin}/v1/links/${demo.link.id}/revoke`,
    `curl -X POST ${auth} ${origin}/v1/orders/${demo.order.id}/cancel`,
    `curl ${auth} ${origin}/v1/deliveries`,
    `curl ${origin}/v1/pay/${demo.link.code}`,
  ];
}

/** `link.paid · 12-02 10:15:03 · signature OK`. */
function describeWebhook(webhook: SandboxWebhook): string {
  return `${webhook.type} · ${formatChinaSecondTime(webhook.received_at)} · ${webhook.signature_valid ? 'signature OK' : 'signature INVALID'}`;
}

function describe(error: unknown): string {
  if (error instanceof ApiError) return `${error.code} (${error.status}): ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

/** The chat's failure switches: which WeChat message API answers which errcode. */
const CHAT_FAULTS: { id: string; api: SandboxMessageApi; errcode: number; label: string }[] = [
  { id: 'card-busy', api: 'updatablemsg_send', errcode: -1, label: 'Card updates fail (-1, retried) / 卡片更新失败' },
  { id: 'card-expired', api: 'updatablemsg_send', errcode: 47504, label: 'Card expired (47504, dropped) / 卡片已过期' },
  { id: 'activity-busy', api: 'activityid_create', errcode: -1, label: 'No new cards (-1) / 无法创建卡片' },
  { id: 'subscribe-refused', api: 'subscribe_send', errcode: 43101, label: 'Messages refused (43101) / 用户拒收' },
  { id: 'subscribe-quota', api: 'subscribe_send', errcode: 45009, label: 'Message quota used up (45009) / 额度用完' },
];

/** QA page (sandbox builds only): demo data, the shop API with the demo key, webhooks received, who you are, the server clock, the fault switches. */
export default function DevPage() {
  const [demo, setDemo] = useState<DemoResponse | undefined>(readStoredDemo);
  const [friend, setFriend] = useState<string | undefined>(chosenSandboxFriend);
  const [customFriend, setCustomFriend] = useState('');
  const [clock, setClock] = useState<SandboxClock | undefined>(undefined);
  const [faults, setFaults] = useState<SandboxFaults | undefined>(undefined);
  const [chatFaults, setChatFaults] = useState<SandboxMessageFault[] | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | undefined>(undefined);
  const [linkNow, setLinkNow] = useState<LinkResponse | undefined>(undefined);
  const [webhooks, setWebhooks] = useState<SandboxWebhook[]>([]);
  const [urlLink, setUrlLink] = useState<{ linkId: string; answer?: UrlLinkResponse; error?: string } | undefined>(undefined);

  /**
   * Runs one QA action, showing its error instead of failing silently; afterwards the server clock
   * is read again (another tab or a script may have moved it) and the demo's link and webhooks too.
   */
  const act = useCallback(async (action: () => Promise<void>) => {
    setBusy(true);
    setMessage(undefined);
    try {
      await action();
    } catch (error: unknown) {
      setMessage(describe(error));
    } finally {
      setBusy(false);
    }
    try {
      setClock(await readClock());
    } catch {
      // The action's own error, if any, is what QA needs to read.
    }
  }, []);

  /** The demo's link as the shop sees it, and the webhooks its shop received. */
  const refreshDemo = useCallback(async (current: DemoResponse) => {
    const [link, received] = await Promise.all([readLink(current.shop.api_key, current.link.id), readWebhooks(current.shop.id)]);
    setLinkNow(link);
    setWebhooks(received);
  }, []);

  // The first read: state is set only when the answers arrive, and not after the page has gone.
  useEffect(() => {
    let live = true;
    Promise.all([readClock(), readFaults(), readMessageFaults().catch((): SandboxMessageFault[] => [])]).then(
      ([nextClock, nextFaults, nextChatFaults]) => {
        if (!live) return;
        setClock(nextClock);
        setFaults(nextFaults);
        setChatFaults(nextChatFaults);
      },
      (error: unknown) => {
        if (live) setMessage(describe(error));
      },
    );
    return () => {
      live = false;
    };
  }, []);
  // The demo link's URL Link, asked of the server as the demo shop (made on first ask, then kept).
  const loadUrlLink = useCallback(
    (target: DemoResponse) =>
      fetchUrlLink(target.link.id, target.shop.api_key).then(
        (answer) => setUrlLink({ linkId: target.link.id, answer }),
        (error: unknown) => setUrlLink({ linkId: target.link.id, error: describe(error) }),
      ),
    [],
  );

  useEffect(() => {
    if (demo !== undefined) void loadUrlLink(demo);
  }, [demo, loadUrlLink]);

  // Webhooks arrive a moment after what caused them (the outbox delivers every second): look again
  // every few seconds while a demo is on the page. A demo of an earlier server may be gone: quiet.
  const demoId = demo?.link.id;
  useEffect(() => {
    if (demo === undefined) return undefined;
    const look = () => void refreshDemo(demo).catch(() => undefined);
    look();
    const timer = setInterval(look, WEBHOOK_POLL_MS);
    return () => clearInterval(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- a new demo (id) restarts the polling, not a new object of the same one
  }, [demoId, refreshDemo]);

  const newDemo = (mode: LinkMode) =>
    act(async () => {
      const created = await createDemo(mode);
      Taro.setStorageSync(DEMO_KEY, created);
      // Its link and webhooks are read by the effect that follows the demo.
      setDemo(created);
    });

  const onDemo = (action: (current: DemoResponse) => Promise<unknown>) =>
    act(async () => {
      if (demo === undefined) return;
      await action(demo);
      await refreshDemo(demo);
    });

  const newPrivateDemo = () =>
    act(async () => {
      const created = await createLiveDemo({ mode: 'single', audience: 'private' });
      Taro.setStorageSync(DEMO_KEY, created);
      setDemo(created);
    });

  const flipChatFault = (fault: (typeof CHAT_FAULTS)[number]) =>
    act(async () => {
      const on = chatFaults?.some((current) => current.api === fault.api && current.errcode === fault.errcode) ?? false;
      // One fault per API at a time, as the simulator keeps them: switching one on replaces the other.
      setChatFaults(on ? await clearMessageFaults() : await setMessageFault(fault.api, fault.errcode));
    });

  const becomeFriend = (openid: string) => {
    chooseSandboxFriend(openid);
    setFriend(openid === '' ? undefined : openid);
  };

  const flip = (fault: FaultSwitch) =>
    act(async () => {
      if (faults === undefined) return;
      setFaults(await changeFaults(fault.patch(!fault.isOn(faults))));
    });

  const payUrl = demo === undefined ? undefined : `${payPageBrowserUrl(demo.link.token)}${friend === undefined ? '' : `&friend=${encodeURIComponent(friend)}`}`;
  const curl = demo === undefined ? [] : curlLines(demo, webOrigin());
  const launchQueries = demo === undefined ? undefined : payPageLaunchQueries(demo.link);
  const shownUrlLink = demo !== undefined && urlLink?.linkId === demo.link.id ? urlLink : undefined;

  return (
    <View className='page dev-page' data-testid='screen-dev'>
      <Text className='title'>QA sandbox</Text>
      <Text className='line'>API: {API_BASE_URL === '' ? '(same origin)' : API_BASE_URL}</Text>
      {message !== undefined && (
        <View className='notice' data-testid='dev-error'>
          <Text>{message}</Text>
        </View>
      )}

      <View className='section'>
        <Text className='section__title'>Demo order and link / 演示订单</Text>
        <Button className='button' type='primary' disabled={busy} data-testid='new-demo-single' onClick={() => void newDemo('single')}>
          New single-payer demo / 新建单人代付
        </Button>
        <Button className='button' type='primary' plain disabled={busy} data-testid='new-demo-group' onClick={() => void newDemo('group')}>
          New group demo / 新建多人代付
        </Button>
        <Button className='button' type='primary' plain disabled={busy} data-testid='new-demo-private' onClick={() => void newPrivateDemo()}>
          New private demo / 新建私密代付
        </Button>
        {demo !== undefined && (
          <View data-testid='demo'>
            <Text className='line'>
              {demo.shop.name} · order {demo.order.id} · {formatYuan(demo.order.amount_total)}
            </Text>
            <Text className='line' data-testid='demo-link'>
              link {demo.link.id} ({demo.link.mode}), expires {demo.link.expires_at}
            </Text>
            <Text className='line'>landing: {demo.link.url}</Text>
            <Text className='line' data-testid='demo-pay-url'>
              pay page: {payUrl}
            </Text>
            <Text className='line' data-testid='demo-share-url'>
              share page: {demo.link.shopper_token === undefined ? sharePageBrowserUrl(demo.link.token) : shopperPageBrowserUrl(demo.link.shopper_token)}
            </Text>
            <Button className='button' type='primary' data-testid='open-pay' onClick={() => void Taro.navigateTo({ url: payPagePath(demo.link.token) })}>
              Open pay page / 打开付款页
            </Button>
            <Button className='button' type='primary' plain data-testid='open-share' onClick={() => void Taro.navigateTo({ url: demo.link.shopper_token === undefined ? sharePagePath(demo.link.token) : shopperPagePath(demo.link.shopper_token) })}>
              Open share page / 打开分享页
            </Button>
          </View>
        )}
      </View>

      {demo !== undefined && (
        <View className='section' data-testid='demo-shop'>
          <Text className='section__title'>Shop API / 商家接口</Text>
          <Text className='line'>Demo shop {demo.shop.id} (the same for this server's data folder)</Text>
          <Text className='line line--code' selectable data-testid='demo-api-key'>
            API key: {demo.shop.api_key}
          </Text>
          <Text className='line' data-testid='demo-status'>
            Link now: {linkNow === undefined ? '…' : `${linkNow.status} (${stateWords.zh[linkNow.status]}) · paid ${formatYuan(linkNow.amount_paid)} of ${formatYuan(linkNow.amount_total)}`}
          </Text>
          <View className='dev-page__row'>
            <Button className='button button--small' type='warn' plain disabled={busy} data-testid='revoke-link' onClick={() => void onDemo((current) => revokeLink(current.shop.api_key, current.link.id))}>
              Revoke link / 撤回链接
            </Button>
            <Button className='button button--small' type='warn' plain disabled={busy} data-testid='cancel-order' onClick={() => void onDemo((current) => cancelOrder(current.shop.api_key, current.order.id))}>
              Cancel order / 取消订单
            </Button>
            <Button className='button button--small' type='primary' plain disabled={busy} data-testid='refresh-demo' onClick={() => void onDemo(() => Promise.resolve())}>
              Refresh / 刷新
            </Button>
          </View>
          <Text className='dev-page__subtitle'>curl</Text>
          <View className='dev-page__code' data-testid='demo-curl'>
            {curl.map((line) => (
              <Text className='line line--code' selectable key={line}>
                {line}
              </Text>
            ))}
          </View>
          <Button className='button' type='primary' plain data-testid='copy-curl' onClick={() => void Taro.setClipboardData({ data: curl.join('\n') })}>
            Copy curl lines / 复制 curl
          </Button>
          <Text className='dev-page__subtitle'>Webhooks received / 收到的 webhook</Text>
          <View data-testid='webhooks'>
            {webhooks.length === 0 ? (
              <Text className='line'>None yet: they arrive about a second after a link is paid, revoked or expires.</Text>
            ) : (
              webhooks.map((webhook, index) => (
                <Text className='line' key={`${webhook.id}-${webhook.received_at}`} data-testid={`webhook-${index}`}>
                  {describeWebhook(webhook)}
                </Text>
              ))
            )}
          </View>
        </View>
      )}

      {demo !== undefined && launchQueries !== undefined && (
        <View className='section' data-testid='demo-wechat'>
          <Text className='section__title'>From any chat / 从聊天进入小程序</Text>
          <Text className='dev-page__label'>Mini program code (scan in WeChat) / 小程序码:</Text>
          <Image className='dev-page__code-image' src={codeImageUrl(demo.link.url)} mode='aspectFit' data-testid='demo-code-image' />
          <Text className='dev-page__label'>URL Link (opens the mini program from a phone browser):</Text>
          <Text className='line' data-testid='demo-url-link'>
            {shownUrlLink?.answer !== undefined ? shownUrlLink.answer.url_link : shownUrlLink?.error !== undefined ? `failed: ${shownUrlLink.error}` : '…'}
          </Text>
          <Button
            className='button' type='primary' plain
            disabled={shownUrlLink?.answer === undefined}
            data-testid='copy-url-link'
            onClick={() => shownUrlLink?.answer !== undefined && void Taro.setClipboardData({ data: shownUrlLink.answer.url_link })}
          >
            Copy URL Link / 复制
          </Button>
          <Button
            className='button' type='primary' plain
            data-testid='reload-url-link'
            onClick={() => {
              setUrlLink(undefined);
              void loadUrlLink(demo);
            }}
          >
            Ask again / 重新获取
          </Button>
          <Text className='dev-page__label'>WeChat DevTools: compile mode, page pages/pay/index, launch query (one of):</Text>
          <Text className='line' data-testid='devtools-query-t'>{launchQueries.t}</Text>
          <Text className='line' data-testid='devtools-query-scene'>{launchQueries.scene}</Text>
          <Text className='line' data-testid='devtools-query-q'>{launchQueries.q}</Text>
        </View>
      )}

      <View className='section'>
        <Text className='section__title'>Simulated friend / 模拟好友</Text>
        <Text className='line' data-testid='current-friend'>
          You are: {friend ?? '(a random friend, chosen when a pay page opens)'}
        </Text>
        <View className='dev-page__row'>
          {PRESET_FRIENDS.map((openid) => (
            <Button
              key={openid}
              className='button button--small'
              type='primary'
              plain={friend !== openid}
              data-testid={`friend-${openid}`}
              onClick={() => becomeFriend(openid)}
            >
              {openid.replace('sandbox-', '')}
            </Button>
          ))}
          <Button className='button button--small' type='primary' plain data-testid='friend-random' onClick={() => becomeFriend('')}>
            random
          </Button>
        </View>
        <View className='dev-page__row'>
          <Input
            className='dev-page__input'
            value={customFriend}
            placeholder='openid'
            onInput={(event) => setCustomFriend(event.detail.value.replace(/[^0-9A-Za-z_-]/g, ''))}
          />
          <Button className='button button--small' type='primary' plain disabled={customFriend === ''} onClick={() => becomeFriend(customFriend)}>
            Use
          </Button>
        </View>
      </View>

      <View className='section'>
        <Text className='section__title'>Server clock / 服务器时钟</Text>
        <Text className='line' data-testid='clock'>
          {clock === undefined ? '…' : `${formatChinaSecondTime(clock.now)} 北京时间 · ${clock.now} (moved ${clock.offset_seconds} s)`}
        </Text>
        <View className='dev-page__row'>
          {CLOCK_STEPS.map((step) => (
            <Button
              key={step.seconds}
              className='button button--small' type='primary' plain
              disabled={busy}
              data-testid={`clock-${step.seconds}`}
              onClick={() =>
                void act(async () => {
                  setClock(await advanceClock(step.seconds));
                })
              }
            >
              {step.label}
            </Button>
          ))}
        </View>
      </View>

      <View className='section'>
        <Text className='section__title'>Fault switches / 故障开关</Text>
        {faults === undefined ? (
          <Text className='line'>…</Text>
        ) : (
          FAULT_SWITCHES.map((fault) => {
            const on = fault.isOn(faults);
            return (
              <View className='dev-page__switch' key={fault.id}>
                <Text className='dev-page__switch-label'>{fault.label}</Text>
                <Button
                  className='button button--small'
                  type={on ? 'warn' : 'primary'}
                  plain
                  disabled={busy}
                  data-testid={`fault-${fault.id}`}
                  onClick={() => void flip(fault)}
                >
                  {on ? 'ON' : 'off'}
                </Button>
              </View>
            );
          })
        )}
        <Button
          className='button' type='primary' plain
          disabled={busy || faults?.wechat_api === undefined}
          data-testid='revoke-access-tokens'
          onClick={() =>
            void act(async () => {
              setFaults(await changeFaults({ wechat_api: { revoke_access_tokens: true } }));
            })
          }
        >
          Revoke access tokens / 作废令牌
        </Button>
        <Button
          className='button' type='primary' plain
          disabled={busy}
          data-testid='faults-reset'
          onClick={() =>
            void act(async () => {
              setFaults(await resetFaults());
            })
          }
        >
          Reset all faults / 全部恢复
        </Button>
      </View>

      <View className='section'>
        <Text className='section__title'>Chat faults / 聊天故障</Text>
        {chatFaults === undefined ? (
          <Text className='line'>…</Text>
        ) : (
          CHAT_FAULTS.map((fault) => {
            const on = chatFaults.some((current) => current.api === fault.api && current.errcode === fault.errcode);
            return (
              <View className='dev-page__switch' key={fault.id}>
                <Text className='dev-page__switch-label'>{fault.label}</Text>
                <Button className='button button--small' type={on ? 'warn' : 'primary'} plain disabled={busy} data-testid={`chat-fault-${fault.id}`} onClick={() => void flipChatFault(fault)}>
                  {on ? 'ON' : 'off'}
                </Button>
              </View>
            );
          })
        )}
      </View>
    </View>
  );
}
