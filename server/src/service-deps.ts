/** What every service needs, passed in so tests can swap any part (docs/architecture.md, "Layers"). */
import type { KeyObject } from 'node:crypto';
import type pino from 'pino';
import type { Clock } from './clock';
import type { IdSource } from './ids';
import type { LinkKeyring } from './tokens/link-keys';
import type { Metrics } from './observability/metrics';
import type { Store } from './store/store';
import type { WechatDeps } from './wechat/wechat-deps';
import type { WechatMessageClient } from './wechat/platform/message-client';
import type { WebhookTargetPolicy } from './webhooks/webhook-targets';
import type { EnvVersion } from './wechat/platform/platform-consts';
import type { WechatPlatformClient } from './wechat/platform/platform-client';

/** Services' dependencies. */
export interface ServiceDeps {
  store: Store;
  clock: Clock;
  ids: IdSource;
  keyring: LinkKeyring;
  logger: pino.Logger;
  /** Where people reach this server, e.g. `https://pay.example.com`; links are built on it. */
  publicBaseUrl: string;
  wechat: WechatDeps;
  /** True in sandbox mode: answers carry what the sandbox pay sheet needs. */
  sandboxMode: boolean;
  /** Signs and verifies friends' session tokens. */
  sessionKey: KeyObject;
  metrics: Metrics;
  /** Where shops' webhook URLs may point: checked when one is set and again at every delivery. */
  webhookTargets: WebhookTargetPolicy;
  /** Reaching the mini program from outside it: codes, URL Links, native shares. */
  miniProgram: MiniProgramDeps;
  /** Live status in the chat; undefined where nothing wired it (the feature's sends are skipped). */
  live?: LiveDeps;
}

/** The mini program as links name it, and WeChat's server API that makes its codes and URL Links. */
export interface MiniProgramDeps {
  platform: WechatPlatformClient;
  /** The original id (`gh_...`) WeChat's OpenSDK shares it by. */
  userName: string;
  /** Which build codes and URL Links open. */
  envVersion: EnvVersion;
}


/** What live status in the chat needs: WeChat's message APIs and their settings. */
export interface LiveDeps {
  /** Undefined when WeChat's server API is not reachable from here (no activity ids, nothing sent). */
  messages: WechatMessageClient | undefined;
  /** Configured subscribe message template ids. */
  templates: { friendPaid: string | undefined; linkExpiring: string | undefined; refund: string | undefined };
  /** Which build of the mini program cards and messages open. */
  envVersion: EnvVersion;
  /** The mini program's appid: WeChat stamps it into the user data it encrypts. */
  appId: string;
}
