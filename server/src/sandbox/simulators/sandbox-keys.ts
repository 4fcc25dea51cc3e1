import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { PUBLIC_KEY_ID_PREFIX, type WechatPayMode } from '../../wechat/consts';
import type { WechatLoginAccount, WechatPayAccount } from '../../wechat/wechat-deps';
import { randomBase62 } from '../../ids';

/** The sandbox's stand-ins for a merchant account and WeChat Pay's own keys (PEM text). */
export interface SandboxWechatKeys {
  mchId: string;
  appId: string;
  appSecret: string;
  /** 32 characters, used as its UTF-8 bytes like a real APIv3 key. */
  apiV3Key: string;
  merchant: { serial: string; privateKeyPem: string; publicKeyPem: string };
  /** WeChat Pay's key in public-key mode: its id is the `Wechatpay-Serial` of what it signs. */
  platform: { publicKeyId: string; privateKeyPem: string; publicKeyPem: string };
}

const keysSchema = z.object({
  mchId: z.string().regex(/^\d{10}$/),
  appId: z.string().regex(/^wx[0-9a-f]{16}$/),
  appSecret: z.string().regex(/^[0-9a-f]{32}$/),
  apiV3Key: z.string().length(32),
  merchant: z.object({ serial: z.string().min(1), privateKeyPem: z.string().min(1), publicKeyPem: z.string().min(1) }),
  platform: z.object({ publicKeyId: z.string().startsWith(PUBLIC_KEY_ID_PREFIX), privateKeyPem: z.string().min(1), publicKeyPem: z.string().min(1) }),
});

/** File name of the saved keys inside the data folder. */
export const SANDBOX_WECHAT_KEYS_FILE = 'sandbox-wechat-keys.json';

function rsaKeyPair(): { privateKeyPem: string; publicKeyPem: string } {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

function randomDigits(count: number): string {
  let out = '';
  while (out.length < count) out += crypto.randomInt(0, 10).toString();
  return out;
}

/** Generates a fresh set of sandbox keys (two RSA-2048 pairs: about a quarter of a second). */
export function generateSandboxWechatKeys(): SandboxWechatKeys {
  return {
    mchId: `19${randomDigits(8)}`,
    appId: `wx${crypto.randomBytes(8).toString('hex')}`,
    appSecret: crypto.randomBytes(16).toString('hex'),
    apiV3Key: randomBase62(32),
    merchant: { serial: crypto.randomBytes(20).toString('hex').toUpperCase(), ...rsaKeyPair() },
    platform: { publicKeyId: `${PUBLIC_KEY_ID_PREFIX}01${randomDigits(26)}`, ...rsaKeyPair() },
  };
}

/**
 * The sandbox keys: read from `dataDir/sandbox-wechat-keys.json` when present, otherwise
 * generated and saved there (mode 0600). Without a `dataDir` they live only in memory.
 */
export function loadOrCreateSandboxWechatKeys(dataDir: string | undefined): SandboxWechatKeys {
  if (dataDir === undefined) return generateSandboxWechatKeys();
  const file = path.join(dataDir, SANDBOX_WECHAT_KEYS_FILE);
  const existing = readKeys(file);
  if (existing !== undefined) return existing;

  const keys = generateSandboxWechatKeys();
  fs.mkdirSync(dataDir, { recursive: true });
  try {
    fs.writeFileSync(file, `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error: unknown) {
    // Another process created the file first: use its keys so both agree.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      const raced = readKeys(file);
      if (raced !== undefined) return raced;
    }
    throw error;
  }
  return keys;
}

function readKeys(file: string): SandboxWechatKeys | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error: unknown) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`${file} is not valid JSON; delete it to generate new sandbox keys`);
  }
  const result = keysSchema.safeParse(parsed);
  if (!result.success) throw new Error(`${file} does not hold sandbox WeChat keys; delete it to generate new ones`);
  return result.data;
}

/**
 * The merchant account the keys stand for, reached at a Pay simulator's `baseUrl`. In partner
 * mode the same merchant is the service provider (`sp_mchid`) and the mini program its app
 * (`sp_appid`); each shop's `sub_mchid` names the sub-merchant.
 */
export function sandboxPayAccount(keys: SandboxWechatKeys, baseUrl: string, mode: WechatPayMode = 'direct'): WechatPayAccount {
  return {
    baseUrl,
    mode,
    ...(mode === 'partner' ? { spAppId: keys.appId } : {}),
    mchId: keys.mchId,
    merchantSerial: keys.merchant.serial,
    merchantPrivateKeyPem: keys.merchant.privateKeyPem,
    apiV3Key: keys.apiV3Key,
    platformPublicKeyPem: keys.platform.publicKeyPem,
    platformPublicKeyId: keys.platform.publicKeyId,
  };
}

/** The mini program the keys stand for, logging in at a login simulator's `apiBaseUrl`. */
export function sandboxLoginAccount(keys: SandboxWechatKeys, apiBaseUrl: string): WechatLoginAccount {
  return { apiBaseUrl, appId: keys.appId, appSecret: keys.appSecret };
}

/** The simulated mini program's original id (`gh_` and 12 hex digits, as WeChat prints one), derived from its appid. */
export function sandboxMiniProgramUserName(keys: SandboxWechatKeys): string {
  return `gh_${keys.appId.slice(2, 14)}`;
}
