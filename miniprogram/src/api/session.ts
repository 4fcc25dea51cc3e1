/**
 * A friend's session: `Taro.login` (or, in sandbox builds, the login simulator) gives a one-time
 * code, `POST /v1/sessions` trades it for a session token, which is kept in storage per friend.
 */
import Taro from '@tarojs/taro';
import { createSession } from './friend-api';
import { ApiError } from './http';
import { sandboxLogin } from './sandbox-api';

const SESSIONS_KEY = 'friend-pay:sessions';
const SANDBOX_FRIEND_KEY = 'friend-pay:sandbox-friend';
/** Renew a little before the server would refuse the token. */
const EXPIRY_MARGIN_MS = 60_000;
/** The storage slot of a production build's one and only WeChat user. */
const WECHAT_USER = 'wechat';

/** A session as kept in storage. */
export interface StoredSession {
  token: string;
  /** Local time (ms) after which we log in again. */
  renewAt: number;
  /** The WeChat user, masked. */
  user: string;
  /** Sandbox only: the simulated friend's openid. */
  openid?: string;
}

type SessionTable = Record<string, StoredSession>;

function readTable(): SessionTable {
  const value: unknown = Taro.getStorageSync(SESSIONS_KEY);
  return typeof value === 'object' && value !== null ? (value as SessionTable) : {};
}

function writeTable(table: SessionTable): void {
  Taro.setStorageSync(SESSIONS_KEY, table);
}

/** Sandbox builds: the simulated friend QA chose on the dev page (undefined until one is chosen). */
export function chosenSandboxFriend(): string | undefined {
  const value: unknown = Taro.getStorageSync(SANDBOX_FRIEND_KEY);
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Sandbox builds: become another simulated friend (an empty value forgets the choice). */
export function chooseSandboxFriend(openid: string): void {
  if (openid === '') Taro.removeStorageSync(SANDBOX_FRIEND_KEY);
  else Taro.setStorageSync(SANDBOX_FRIEND_KEY, openid);
}

/**
 * Who pays from this page: in sandbox builds the page's `friend` override (so two browser tabs
 * can be two friends), else the friend chosen on the dev page; in production the WeChat user.
 */
export function currentFriend(override?: string): string | undefined {
  if (!SANDBOX) return undefined;
  return override !== undefined && override !== '' ? override : chosenSandboxFriend();
}

function slotOf(friend: string | undefined): string {
  return friend ?? WECHAT_USER;
}

/** The stored session of `friend`, if it is still fresh. */
export function storedSession(friend: string | undefined, now: number = Date.now()): StoredSession | undefined {
  const session = readTable()[slotOf(friend)];
  return session !== undefined && session.renewAt > now ? session : undefined;
}

/** Drops `friend`'s session (the server refused it). */
export function forgetSession(friend: string | undefined): void {
  const table = readTable();
  delete table[slotOf(friend)];
  writeTable(table);
}

async function loginCode(friend: string | undefined): Promise<{ code: string; openid?: string }> {
  if (SANDBOX) {
    const issued = await sandboxLogin(friend);
    return { code: issued.code, openid: issued.openid };
  }
  const { code } = await Taro.login();
  return { code };
}

/** Logs `friend` in and stores the session. */
export async function login(friend: string | undefined): Promise<StoredSession> {
  let issued: { code: string; openid?: string };
  try {
    issued = await loginCode(friend);
  } catch (error: unknown) {
    if (error instanceof ApiError) throw error;
    // Taro.login failing means WeChat itself could not be reached.
    throw new ApiError('NETWORK_ERROR', 0, error instanceof Error ? error.message : 'login failed');
  }
  const answer = await createSession(issued.code);
  const session: StoredSession = {
    token: answer.session_token,
    renewAt: Date.now() + answer.expires_in * 1000 - EXPIRY_MARGIN_MS,
    user: answer.user,
    ...(issued.openid === undefined ? {} : { openid: issued.openid }),
  };
  // A sandbox friend picked at random by the simulator stays the same person from now on.
  const slotFriend = friend ?? (SANDBOX ? issued.openid : undefined);
  if (SANDBOX && friend === undefined && issued.openid !== undefined) chooseSandboxFriend(issued.openid);
  const table = readTable();
  table[slotOf(slotFriend)] = session;
  writeTable(table);
  return session;
}

/** Logins under way, per friend: a tap while the page logs in ahead waits for that login, not a second one. */
const loggingIn = new Map<string, Promise<StoredSession>>();

/** The friend's session, logging in when there is none or it is about to expire. */
export async function ensureSession(friend: string | undefined): Promise<StoredSession> {
  const stored = storedSession(friend);
  if (stored !== undefined) return stored;
  const slot = slotOf(friend);
  let pending = loggingIn.get(slot);
  if (pending === undefined) {
    pending = login(friend).finally(() => loggingIn.delete(slot));
    loggingIn.set(slot, pending);
  }
  return pending;
}

/**
 * Logs the friend in ahead, while they read the page, so the tap on "pay" costs one request
 * before the pay sheet instead of three (wx.login, POST /v1/sessions, the payment). A failure is
 * quiet: the tap logs in again and reports what goes wrong then.
 */
export async function loginAhead(friend: string | undefined): Promise<void> {
  try {
    await ensureSession(friend);
  } catch {
    // Nothing to show yet: the friend has not asked for anything.
  }
}

/**
 * Runs `call` with `friend`'s session; if the server no longer accepts the session (it expired,
 * the sandbox clock moved, keys rotated) logs in once more and retries.
 */
export async function withSession<T>(friend: string | undefined, call: (session: StoredSession) => Promise<T>): Promise<T> {
  const session = await ensureSession(friend);
  try {
    return await call(session);
  } catch (error: unknown) {
    if (!(error instanceof ApiError) || error.code !== 'SESSION_INVALID') throw error;
    forgetSession(friend ?? session.openid);
    return call(await login(friend ?? session.openid));
  }
}
