/**
 * Configuration: read once from the environment, validated, frozen (docs/architecture.md, "WeChat and the sandbox").
 * Nothing else in the server reads `process.env`.
 */
import fs from 'node:fs';
import path from 'node:path';

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
  mchId: string;
  merchantSerial: string;
  merchantPrivateKeyPem: string;
  apiV3Key: string;
  platformPublicKeyPem: string;
  platformPublicKeyId: string;
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
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  sweepIntervalMs: number;
  /** Shared rate-limit budgets across instances when set. */
  redisUrl: string | undefined;
  /** Per-attempt timeout of WeChat Pay calls. */
  wechatPayTimeoutMs: number;
  /** Prefix of this deployment's keys in Redis. */
  redisKeyPrefix: string;
  /** Express `trust proxy`: how the client IP is found behind a load balancer. */
  trustProxy: boolean | number | string;
  rateLimits: RateLimitConfig;
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
  }, 10_000);
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

  const appId = read('WECHAT_APPID', text);
  const appSecret = read('WECHAT_APP_SECRET', text);
  const apiBaseUrl = read('WECHAT_API_BASE_URL', parseHttpUrl, 'https://api.weixin.qq.com');
  const payBaseUrl = read('WECHATPAY_BASE_URL', parseHttpUrl);
  const mchId = read('WECHATPAY_MCHID', text);
  const merchantSerial = read('WECHATPAY_MERCHANT_SERIAL', text);
  const merchantPrivateKeyPem = read('WECHATPAY_MERCHANT_PRIVATE_KEY_FILE', readFile);
  const apiV3Key = read('WECHATPAY_APIV3_KEY', (value) => {
    if (Buffer.byteLength(value, 'utf8') !== 32) throw new Error('must be exactly 32 bytes');
    return value;
  });
  const platformPublicKeyPem = read('WECHATPAY_PUBLIC_KEY_FILE', readFile);
  const platformPublicKeyId = read('WECHATPAY_PUBLIC_KEY_ID', text);
  const notifyUrl = read('NOTIFY_URL', parseHttpUrl);

  // Production has no defaults for secrets or for what the world sees of us.
  if (!sandbox) {
    const why = 'in production (npm run serve)';
    requireValue('PUBLIC_BASE_URL', publicBaseUrl, why);
    requireValue('LINK_SIGNING_KEYS', linkSigningKeys, why);
    requireValue('SESSION_SIGNING_KEY', sessionSigningKey, why);
    requireValue('WECHAT_APPID', appId, why);
    requireValue('WECHAT_APP_SECRET', appSecret, why);
    requireValue('WECHATPAY_MCHID', mchId, why);
    requireValue('WECHATPAY_MERCHANT_SERIAL', merchantSerial, why);
    requireValue('WECHATPAY_MERCHANT_PRIVATE_KEY_FILE', merchantPrivateKeyPem, why);
    requireValue('WECHATPAY_APIV3_KEY', apiV3Key, why);
    requireValue('WECHATPAY_PUBLIC_KEY_FILE', platformPublicKeyPem, why);
    requireValue('WECHATPAY_PUBLIC_KEY_ID', platformPublicKeyId, why);
    // NOTIFY_URL defaults to PUBLIC_BASE_URL/v1/wechatpay/notify: it is missing only without both.
    if (publicBaseUrl === undefined) requireValue('NOTIFY_URL', notifyUrl, `${why} unless PUBLIC_BASE_URL is set (it defaults to PUBLIC_BASE_URL/v1/wechatpay/notify)`);
  }

  // In the sandbox the WeChat settings are all or nothing: either the in-process simulators,
  // or a complete set pointing at another implementation of the protocol.
  const payValues = { WECHATPAY_BASE_URL: payBaseUrl, WECHATPAY_MCHID: mchId, WECHATPAY_MERCHANT_SERIAL: merchantSerial, WECHATPAY_MERCHANT_PRIVATE_KEY_FILE: merchantPrivateKeyPem, WECHATPAY_APIV3_KEY: apiV3Key, WECHATPAY_PUBLIC_KEY_FILE: platformPublicKeyPem, WECHATPAY_PUBLIC_KEY_ID: platformPublicKeyId, WECHAT_APPID: appId };
  const givenPay = Object.entries(payValues).filter(([name]) => env[name] !== undefined && env[name] !== '');
  if (sandbox && givenPay.length > 0 && givenPay.length < Object.keys(payValues).length) {
    const missing = Object.keys(payValues).filter((name) => !givenPay.some(([given]) => given === name));
    problems.push(`${missing.join(', ')}: required when pointing the sandbox at another WeChat Pay (${givenPay.map(([name]) => name).join(', ')} given)`);
  }

  if (problems.length > 0) throw new ConfigError(problems);

  const wechatPay: WechatPayConfig | undefined =
    mchId && merchantSerial && merchantPrivateKeyPem && apiV3Key && platformPublicKeyPem && platformPublicKeyId
      ? {
          baseUrl: payBaseUrl ?? 'https://api.mch.weixin.qq.com',
          mchId,
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
    logLevel,
    sweepIntervalMs,
    redisUrl,
    redisKeyPrefix,
    wechatPayTimeoutMs,
    trustProxy,
    rateLimits: Object.freeze(rateLimits),
  });
}

/** Just the store settings, for commands that only touch the database (`shop:create`). */
export function loadStoreConfig(env: Env, cwd = process.cwd()): { database: DatabaseConfig } {
  try {
    return { database: parseDatabaseUrl(env.DATABASE_URL?.trim() || 'sqlite:./data/friend-pay.sqlite', cwd) };
  } catch (error: unknown) {
    throw new ConfigError([`DATABASE_URL: ${error instanceof Error ? error.message : String(error)}`]);
  }
}
