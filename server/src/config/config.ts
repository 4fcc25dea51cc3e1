/**
 * Configuration: read once from the environment, validated, frozen (docs/architecture.md, "WeChat and the sandbox").
 * Nothing else in the server reads `process.env`.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { PUBLIC_KEY_ID_PREFIX, WECHATPAY_MODES, type WechatPayMode } from '../wechat/consts';
import { ENV_VERSIONS, isEnvVersion, type EnvVersion } from '../wechat/platform/platform-consts';

/** How the server runs: `sandbox` mounts the simulators and QA routes; `production` never does. */
export type RunMode = 'sandbox' | 'production';

/** A link signing key; the first configured is the newest and signs, all of them verify. */
export interface SigningKeyConfig {
  kid: string;
  secret: Buffer;
}

/** Where the store lives. */
export type DatabaseConfig =
  | { engine: 'sqlite'; file: string }
  | { engine: 'postgres'; url: string };

/** WeChat Pay v3 merchant settings. */
export interface WechatPayConfig {
  baseUrl: string;
  /** `direct` (a merchant collecting for itself) or `partner` (a service provider, 服务商). */
  mode: WechatPayMode;
  /** The signing merchant: `WECHATPAY_MCHID`, or in partner mode `WECHATPAY_SP_MCHID`. */
  mchId: string;
  /** Partner mode: `WECHATPAY_SP_APPID`, the app payments are made in. */
  spAppId: string | undefined;
  merchantSerial: string;
  merchantPrivateKeyPem: string;
  apiV3Key: string;
  /** Undefined: platform certificates alone verify WeChat Pay (fetched with the APIv3 key). */
  platformPublicKeyPem: string | undefined;
  platformPublicKeyId: string | undefined;
  notifyUrl: string;
}

/** WeChat mini program login settings. */
export interface WechatLoginConfig {
  appId: string;
  appSecret: string;
  apiBaseUrl: string;
}

/** Rate-limit budgets, in requests per minute; the limiter itself is `http/rate-limits.ts`. */
export interface RateLimitConfig {
  friendViewsPerIp: number;
  sessionsPerIp: number;
  paymentsPerUser: number;
  shopRequestsPerKey: number;
}

/** Defaults: generous for people, tight enough to stop enumeration and scripted abuse. */
export const defaultRateLimits: RateLimitConfig = {
  friendViewsPerIp: 300,
  sessionsPerIp: 60,
  paymentsPerUser: 30,
  shopRequestsPerKey: 1200,
};

/** The validated, frozen configuration. */
export interface Config {
  mode: RunMode;
  sandbox: boolean;
  port: number;
  host: string;
  /** Undefined in sandbox until the server knows its port; then the server's own `http://127.0.0.1:<port>`. */
  publicBaseUrl: string | undefined;
  database: DatabaseConfig;
  dataDir: string;
  /** Undefined in sandbox when not configured: generated once into the data folder. */
  linkSigningKeys: SigningKeyConfig[] | undefined;
  sessionSigningKey: Buffer | undefined;
  /** Undefined in sandbox when not configured: the in-process simulators are used. */
  wechatLogin: WechatLoginConfig | undefined;
  wechatPay: WechatPayConfig | undefined;
  /** `WECHATPAY_MODE`; also what the sandbox's simulated WeChat Pay plays. */
  wechatPayMode: WechatPayMode;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  sweepIntervalMs: number;
  /** Shared rate-limit budgets across instances when set. */
  redisUrl: string | undefined;
  /** Per-attempt timeout of WeChat Pay calls; a whole call (retries included) takes at most the larger of this and 5 s. */
  wechatPayTimeoutMs: number;
  /** Prefix of this deployment's keys in Redis. */
  redisKeyPrefix: string;
  /** Express `trust proxy`: how the client IP is found behind a load balancer. */
  trustProxy: boolean | number | string;
  rateLimits: RateLimitConfig;
  /**
   * Where webhooks may go: `public` (https to public hosts; production's default) or `local`
   * (also http, loopback and private networks; the sandbox's default, for QA's receiver).
   */
  webhookTargets: WebhookTargets;
  /** How links reach the mini program from outside it: codes, URL Links, native shares. */
  miniProgram: MiniProgramConfig;
  /** Live status in the chat: subscribe message templates and the build cards and messages open. */
  live: LiveConfig;
}

/** `WEBHOOK_TARGETS`: see `Config.webhookTargets`. */
export type WebhookTargets = 'public' | 'local';

function parseWebhookTargets(value: string): WebhookTargets {
  if (value !== 'public' && value !== 'local') throw new Error('must be public (https to public hosts) or local (also http, loopback and private networks)');
  return value;
}

/** The mini program as WeChat's OpenSDK, codes and URL Links name it (README, "From any chat into the mini program"). */
export interface MiniProgramConfig {
  /** `WECHAT_MINIPROGRAM_USERNAME`, the original id (`gh_...`); undefined in sandbox when not set. */
  userName: string | undefined;
  /** `WECHAT_ENV_VERSION`: which build codes and URL Links open. @default 'release' */
  envVersion: EnvVersion;
  /** `WECHAT_QRCODE_VERIFY_FILE`: WeChat's domain check file for the plain-link QR rule, served at `/<name>`. */
  qrcodeVerifyFile: { name: string; content: string } | undefined;
}

/** A mini program's original id: `gh_` and 12 hex digits as WeChat prints it (some older ones differ, so letters and digits). */
const MINIPROGRAM_USERNAME_PATTERN = /^gh_[0-9A-Za-z]{6,32}$/;
/** The check file's name as WeChat hands it out (a word and `.txt`), so serving it can never shadow a route. */
const VERIFY_FILE_NAME_PATTERN = /^[A-Za-z0-9_-]{1,64}\.txt$/;

/** Parses `WECHAT_QRCODE_VERIFY_FILE` = `<name>.txt:<content>`. */
export function parseQrcodeVerifyFile(value: string): { name: string; content: string } {
  const colon = value.indexOf(':');
  if (colon <= 0) throw new Error('must be "<name>.txt:<content>", as the WeChat console shows the check file');
  const name = value.slice(0, colon);
  const content = value.slice(colon + 1);
  if (!VERIFY_FILE_NAME_PATTERN.test(name)) throw new Error(`the file name "${name.slice(0, 70)}" must be 1-64 of [A-Za-z0-9_-] followed by .txt`);
  if (!/^[\x21-\x7e]{1,256}$/.test(content)) throw new Error('the content must be 1-256 visible ASCII characters (no spaces or line breaks)');
  return { name, content };
}


/** Subscribe message template ids (WECHAT_TEMPLATE_*) and the mini program build (WECHAT_ENV_VERSION). */
export interface LiveConfig {
  /** Undefined when not configured: in the sandbox the simulator's templates, in production no such messages. */
  templates: { friendPaid: string | undefined; linkExpiring: string | undefined; refund: string | undefined };
  /** Which build cards and messages open: `release` (default), `trial` or `develop`. */
  envVersion: 'release' | 'trial' | 'develop';
}

/** A bad or missing configuration value; `problems` name each variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

const kidPattern = /^[A-Za-z0-9_-]{1,32}$/;
const MIN_SECRET_LENGTH = 32;
const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Parses `kid:secret,kid:secret` (newest first). */
export function parseSigningKeys(value: string): SigningKeyConfig[] {
  const keys: SigningKeyConfig[] = [];
  for (const entry of value.split(',').map((part) => part.trim()).filter(Boolean)) {
    const colon = entry.indexOf(':');
    if (colon <= 0) throw new Error('each key must be "kid:secret"');
    const kid = entry.slice(0, colon);
    const secret = entry.slice(colon + 1);
    if (!kidPattern.test(kid)) throw new Error(`key id "${kid.slice(0, 32)}" must be 1-32 of [A-Za-z0-9_-]`);
    if (secret.length < MIN_SECRET_LENGTH) throw new Error(`the secret of key "${kid}" must be at least ${MIN_SECRET_LENGTH} characters`);
    if (keys.some((key) => key.kid === kid)) throw new Error(`key id "${kid}" appears twice`);
    keys.push({ kid, secret: Buffer.from(secret, 'utf8') });
  }
  if (keys.length === 0) throw new Error('at least one key is required');
  return keys;
}

function parseDatabaseUrl(value: string, cwd: string): DatabaseConfig {
  if (value.startsWith('sqlite:')) {
    const file = value.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (file === '') throw new Error('sqlite: needs a file path, e.g. sqlite:./data/friend-pay.sqlite');
    return { engine: 'sqlite', file: file === ':memory:' ? file : path.resolve(cwd, file) };
  }
  if (/^postgres(ql)?:\/\//.test(value)) {
    new URL(value); // throws on a malformed URL
    return { engine: 'postgres', url: value };
  }
  throw new Error('must start with sqlite: or postgres://');
}

function parseHttpUrl(value: string): string {
  const url = new URL(value);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('must be an http(s) URL');
  return value.replace(/\/+$/, '');
}

function parsePort(value: string): number {
  if (!/^\d+$/.test(value)) throw new Error('must be a whole number');
  const port = Number(value);
  if (port > 65535) throw new Error('must be at most 65535');
  return port;
}

/**
 * Reads and validates the configuration. Every problem is collected so one start names all
 * of them. `mode` comes from the command (`npm start` = sandbox, `npm run serve` = production).
 */
export function loadConfig(env: Env, mode: RunMode, cwd = process.cwd()): Config {
  const problems: string[] = [];
  const sandbox = mode === 'sandbox';

  function read<T>(name: string, parse: (value: string) => T, fallback: T): T;
  function read<T>(name: string, parse: (value: string) => T): T | undefined;
  function read<T>(name: string, parse: (value: string) => T, fallback?: T): T | undefined {
    const raw = env[name];
    if (raw === undefined || raw.trim() === '') return fallback;
    try {
      return parse(raw.trim());
    } catch (error: unknown) {
      problems.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
      return fallback;
    }
  }
  function requireValue<T>(name: string, value: T | undefined, why: string): T | undefined {
    if (value === undefined && env[name] === undefined) problems.push(`${name}: required ${why}`);
    return value;
  }
  const text = (value: string): string => value;
  const readFile = (file: string): string => {
    try {
      return fs.readFileSync(path.resolve(cwd, file), 'utf8');
    } catch {
      throw new Error(`cannot read file ${file}`);
    }
  };

  if (env.SANDBOX !== undefined && !['0', '1', ''].includes(env.SANDBOX.trim())) {
    problems.push('SANDBOX: must be 1 or 0');
  }
  if (mode === 'production' && env.SANDBOX?.trim() === '1') {
    problems.push('SANDBOX: must not be 1 under `npm run serve` (production mode has no sandbox)');
  }

  const port = read('PORT', parsePort, 3000);
  const host = read('HOST', text, sandbox ? '127.0.0.1' : '0.0.0.0');
  const publicBaseUrl = read('PUBLIC_BASE_URL', parseHttpUrl);
  const database = read('DATABASE_URL', (value) => parseDatabaseUrl(value, cwd), parseDatabaseUrl('sqlite:./data/friend-pay.sqlite', cwd));
  const dataDir = read('DATA_DIR', (value) => path.resolve(cwd, value), path.resolve(cwd, 'data'));
  const linkSigningKeys = read('LINK_SIGNING_KEYS', parseSigningKeys);
  const sessionSigningKey = read('SESSION_SIGNING_KEY', (value) => {
    if (value.length < MIN_SECRET_LENGTH) throw new Error(`must be at least ${MIN_SECRET_LENGTH} characters`);
    return Buffer.from(value, 'utf8');
  });
  const logLevel = read('LOG_LEVEL', (value) => {
    if (!(logLevels as readonly string[]).includes(value)) throw new Error(`must be one of ${logLevels.join(', ')}`);
    return value as Config['logLevel'];
  }, 'info');
  const sweepIntervalMs = read('SWEEP_INTERVAL_MS', (value) => {
    const ms = Number(value);
    if (!Number.isInteger(ms) || ms < 100 || ms > 3_600_000) throw new Error('must be a whole number of milliseconds from 100 to 3600000');
    return ms;
  }, 5_000);

  const redisUrl = read('REDIS_URL', (value) => {
    if (!/^rediss?:\/\//.test(value)) throw new Error('must start with redis:// or rediss://');
    new URL(value);
    return value;
  });
  const wechatPayTimeoutMs = read('WECHATPAY_TIMEOUT_MS', (value) => {
    const ms = Number(value);
    if (!Number.isInteger(ms) || ms < 100 || ms > 60_000) throw new Error('must be a whole number of milliseconds from 100 to 60000');
    return ms;
  }, 3_000);
  const redisKeyPrefix = read('REDIS_KEY_PREFIX', (value) => {
    if (!/^[A-Za-z0-9_:.-]{1,64}$/.test(value)) throw new Error('must be 1-64 of [A-Za-z0-9_:.-]');
    return value;
  }, 'friendpay');
  const trustProxy = read('TRUST_PROXY', (value): boolean | number | string => {
    if (value === 'true' || value === 'false') return value === 'true';
    if (/^\d+$/.test(value)) return Number(value);
    return value; // e.g. "loopback" or a list of subnets, as Express takes it
  }, false);
  const perMinute = (value: string): number => {
    const count = Number(value);
    if (!Number.isInteger(count) || count < 1 || count > 1_000_000) throw new Error('must be a whole number of requests per minute from 1 to 1000000');
    return count;
  };
  const rateLimits: RateLimitConfig = {
    friendViewsPerIp: read('RATE_LIMIT_FRIEND_VIEWS_PER_MINUTE', perMinute, defaultRateLimits.friendViewsPerIp),
    sessionsPerIp: read('RATE_LIMIT_SESSIONS_PER_MINUTE', perMinute, defaultRateLimits.sessionsPerIp),
    paymentsPerUser: read('RATE_LIMIT_PAYMENTS_PER_MINUTE', perMinute, defaultRateLimits.paymentsPerUser),
    shopRequestsPerKey: read('RATE_LIMIT_SHOP_PER_MINUTE', perMinute, defaultRateLimits.shopRequestsPerKey),
  };

  const webhookTargets = read('WEBHOOK_TARGETS', parseWebhookTargets, sandbox ? 'local' : 'public');

  const appId = read('WECHAT_APPID', text);
  const appSecret = read('WECHAT_APP_SECRET', text);
  const apiBaseUrl = read('WECHAT_API_BASE_URL', parseHttpUrl, 'https://api.weixin.qq.com');
  const payBaseUrl = read('WECHATPAY_BASE_URL', parseHttpUrl);
  const wechatPayMode = read('WECHATPAY_MODE', (value): WechatPayMode => {
    if (!(WECHATPAY_MODES as readonly string[]).includes(value)) throw new Error(`must be ${WECHATPAY_MODES.join(' or ')}`);
    return value as WechatPayMode;
  }, 'direct');
  const partner = wechatPayMode === 'partner';
  const merchantId = (value: string): string => {
    if (!/^\d{6,32}$/.test(value)) throw new Error('must be a WeChat Pay merchant id (digits)');
    return value;
  };
  const directMchId = read('WECHATPAY_MCHID', text);
  const spMchId = read('WECHATPAY_SP_MCHID', merchantId);
  const spAppId = read('WECHATPAY_SP_APPID', text);
  if (!partner && (env.WECHATPAY_SP_MCHID || env.WECHATPAY_SP_APPID)) {
    problems.push('WECHATPAY_SP_MCHID, WECHATPAY_SP_APPID: only for WECHATPAY_MODE=partner');
  }
  if (partner && directMchId !== undefined && spMchId !== undefined && directMchId !== spMchId) {
    problems.push('WECHATPAY_MCHID: in partner mode the signing merchant is WECHATPAY_SP_MCHID; leave WECHATPAY_MCHID unset');
  }
  const mchId = partner ? spMchId : directMchId;
  const merchantSerial = read('WECHATPAY_MERCHANT_SERIAL', text);
  const merchantPrivateKeyPem = read('WECHATPAY_MERCHANT_PRIVATE_KEY_FILE', readFile);
  const apiV3Key = read('WECHATPAY_APIV3_KEY', (value) => {
    if (Buffer.byteLength(value, 'utf8') !== 32) throw new Error('must be exactly 32 bytes');
    return value;
  });
  const platformPublicKeyPem = read('WECHATPAY_PUBLIC_KEY_FILE', (file) => {
    const pem = readFile(file);
    try {
      crypto.createPublicKey(pem);
    } catch {
      throw new Error(`${file} does not hold a PEM public key (WeChat Pay's public key, from the merchant platform)`);
    }
    return pem;
  });
  const platformPublicKeyId = read('WECHATPAY_PUBLIC_KEY_ID', (value) => {
    if (!value.startsWith(PUBLIC_KEY_ID_PREFIX)) throw new Error(`must be the key's id as WeChat shows it, ${PUBLIC_KEY_ID_PREFIX}...`);
    return value;
  });
  // The public key and its id go together; without both, platform certificates verify.
  if (Boolean(env.WECHATPAY_PUBLIC_KEY_FILE?.trim()) !== Boolean(env.WECHATPAY_PUBLIC_KEY_ID?.trim())) {
    problems.push('WECHATPAY_PUBLIC_KEY_FILE, WECHATPAY_PUBLIC_KEY_ID: give both (the WeChat Pay public key) or neither (platform certificates alone, fetched with WECHATPAY_APIV3_KEY)');
  }
  const notifyUrl = read('NOTIFY_URL', parseHttpUrl);
  const miniProgramUserName = read('WECHAT_MINIPROGRAM_USERNAME', (value) => {
    if (!MINIPROGRAM_USERNAME_PATTERN.test(value)) throw new Error('must be the mini program\'s original id, gh_ and 6-32 letters or digits (WeChat console: 设置 > 基本设置 > 原始ID)');
    return value;
  });
  const envVersion = read('WECHAT_ENV_VERSION', (value): EnvVersion => {
    if (!isEnvVersion(value)) throw new Error(`must be one of ${ENV_VERSIONS.join(', ')}`);
    return value;
  }, 'release');
  const qrcodeVerifyFile = read('WECHAT_QRCODE_VERIFY_FILE', parseQrcodeVerifyFile);

  // Production has no defaults for secrets or for what the world sees of us.
  if (!sandbox) {
    const why = 'in production (npm run serve)';
    requireValue('PUBLIC_BASE_URL', publicBaseUrl, why);
    requireValue('LINK_SIGNING_KEYS', linkSigningKeys, why);
    requireValue('SESSION_SIGNING_KEY', sessionSigningKey, why);
    requireValue('WECHAT_APPID', appId, why);
    requireValue('WECHAT_APP_SECRET', appSecret, why);
    if (partner) {
      requireValue('WECHATPAY_SP_MCHID', spMchId, `${why} with WECHATPAY_MODE=partner`);
      requireValue('WECHATPAY_SP_APPID', spAppId, `${why} with WECHATPAY_MODE=partner`);
    } else {
      requireValue('WECHATPAY_MCHID', mchId, why);
    }
    requireValue('WECHATPAY_MERCHANT_SERIAL', merchantSerial, why);
    requireValue('WECHATPAY_MERCHANT_PRIVATE_KEY_FILE', merchantPrivateKeyPem, why);
    if (apiV3Key === undefined && env.WECHATPAY_APIV3_KEY === undefined) {
      problems.push(
        platformPublicKeyPem === undefined
          ? `WECHATPAY_APIV3_KEY: required ${why}: it decrypts notifications and, as no WECHATPAY_PUBLIC_KEY_FILE/_ID is given, fetches the platform certificates that verify WeChat Pay (give the key, or both)`
          : `WECHATPAY_APIV3_KEY: required ${why}: it decrypts notifications`,
      );
    }
    // NOTIFY_URL defaults to PUBLIC_BASE_URL/v1/wechatpay/notify: it is missing only without both.
    if (publicBaseUrl === undefined) requireValue('NOTIFY_URL', notifyUrl, `${why} unless PUBLIC_BASE_URL is set (it defaults to PUBLIC_BASE_URL/v1/wechatpay/notify)`);
    requireValue('WECHAT_MINIPROGRAM_USERNAME', miniProgramUserName, why);
  }

  // In the sandbox the WeChat settings are all or nothing: either the in-process simulators,
  // or a complete set pointing at another implementation of the protocol.
  const payValues = {
    WECHATPAY_BASE_URL: payBaseUrl,
    ...(partner ? { WECHATPAY_SP_MCHID: spMchId, WECHATPAY_SP_APPID: spAppId } : { WECHATPAY_MCHID: mchId }),
    WECHATPAY_MERCHANT_SERIAL: merchantSerial,
    WECHATPAY_MERCHANT_PRIVATE_KEY_FILE: merchantPrivateKeyPem,
    WECHATPAY_APIV3_KEY: apiV3Key,
    WECHAT_APPID: appId,
  };
  const givenPay = Object.entries(payValues).filter(([name]) => env[name] !== undefined && env[name] !== '');
  if (sandbox && givenPay.length > 0 && givenPay.length < Object.keys(payValues).length) {
    const missing = Object.keys(payValues).filter((name) => !givenPay.some(([given]) => given === name));
    problems.push(`${missing.join(', ')}: required when pointing the sandbox at another WeChat Pay (${givenPay.map(([name]) => name).join(', ')} given)`);
  }

  // Live status in the chat.
  const templateId = (value: string): string => {
    if (!/^[A-Za-z0-9_-]{1,128}$/.test(value)) throw new Error('must be a subscribe message template id (1-128 of [A-Za-z0-9_-])');
    return value;
  };
  const live: LiveConfig = {
    templates: {
      friendPaid: read('WECHAT_TEMPLATE_FRIEND_PAID', templateId),
      linkExpiring: read('WECHAT_TEMPLATE_LINK_EXPIRING', templateId),
      refund: read('WECHAT_TEMPLATE_REFUND', templateId),
    },
    // One WECHAT_ENV_VERSION for codes, URL Links, cards and messages.
    envVersion,
  };

  if (problems.length > 0) throw new ConfigError(problems);

  const wechatPay: WechatPayConfig | undefined =
    mchId && merchantSerial && merchantPrivateKeyPem && apiV3Key && (!partner || spAppId)
      ? {
          baseUrl: payBaseUrl ?? 'https://api.mch.weixin.qq.com',
          mode: wechatPayMode,
          mchId,
          spAppId: partner ? spAppId : undefined,
          merchantSerial,
          merchantPrivateKeyPem,
          apiV3Key,
          platformPublicKeyPem,
          platformPublicKeyId,
          // Empty: the server fills in its own /v1/wechatpay/notify once it knows its URL.
          notifyUrl: notifyUrl ?? (publicBaseUrl ? `${publicBaseUrl}/v1/wechatpay/notify` : ''),
        }
      : undefined;
  const wechatLogin: WechatLoginConfig | undefined =
    appId && appSecret ? { appId, appSecret, apiBaseUrl } : undefined;

  return Object.freeze({
    mode,
    sandbox,
    port,
    host,
    publicBaseUrl,
    database,
    dataDir,
    linkSigningKeys,
    sessionSigningKey,
    wechatLogin,
    wechatPay,
    wechatPayMode,
    logLevel,
    sweepIntervalMs,
    redisUrl,
    redisKeyPrefix,
    wechatPayTimeoutMs,
    trustProxy,
    rateLimits: Object.freeze(rateLimits),
    webhookTargets,
    miniProgram: Object.freeze({ userName: miniProgramUserName, envVersion, qrcodeVerifyFile: qrcodeVerifyFile && Object.freeze(qrcodeVerifyFile) }),
    live: Object.freeze(Object.assign({}, live, { templates: Object.freeze(live.templates) })),
  });
}

/**
 * Where webhooks may go, for `shop:create`, which has no run mode of its own: `WEBHOOK_TARGETS`,
 * else `local` with SANDBOX=1 and `public` otherwise.
 */
export function loadWebhookTargets(env: Env): WebhookTargets {
  const value = env.WEBHOOK_TARGETS?.trim();
  if (value === undefined || value === '') return env.SANDBOX?.trim() === '1' ? 'local' : 'public';
  try {
    return parseWebhookTargets(value);
  } catch (error: unknown) {
    throw new ConfigError([`WEBHOOK_TARGETS: ${error instanceof Error ? error.message : String(error)}`]);
  }
}

/** Just the store settings, for commands that only touch the database (`shop:create`). */
export function loadStoreConfig(env: Env, cwd = process.cwd()): { database: DatabaseConfig } {
  try {
    return { database: parseDatabaseUrl(env.DATABASE_URL?.trim() || 'sqlite:./data/friend-pay.sqlite', cwd) };
  } catch (error: unknown) {
    throw new ConfigError([`DATABASE_URL: ${error instanceof Error ? error.message : String(error)}`]);
  }
}
