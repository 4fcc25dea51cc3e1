// The simulator of WeChat's message APIs for live status in the chat, at the same paths and with
// the same answers as api.weixin.qq.com: activity ids that expire on the injected clock, the
// updatable card's state machine (0 -> 0 -> ... -> 1, final) with its errors, one-time subscribe
// messages counted per user and template (43101 without one), and private-message proofs
// encrypted with the user's session key exactly as WeChat encrypts them. Its QA routes stand in
// for what WeChat's own app does in a chat: sharing a card, forwarding it, tapping it, and
// accepting a subscribe prompt. Our client does not know it is talking to a simulator.
import crypto from 'node:crypto';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import type { Clock } from '../../clock';
import { randomBase62 } from '../../ids';
import {
  ACTIVITY_ID_TTL_SECONDS,
  CARD_PARAM_MEMBER_COUNT,
  CARD_PARAM_PATH,
  CARD_PARAM_ROOM_LIMIT,
  CARD_PARAM_VERSION_TYPE,
  CARD_STATE_DONE,
  CARD_STATE_OPEN,
  CARD_TEXT,
  MESSAGE_ERRCODES,
  MESSAGE_ERRMSG,
  MINIPROGRAM_STATES,
  PATH_CREATE_ACTIVITY_ID,
  PATH_SEND_SUBSCRIBE_MESSAGE,
  PATH_SET_UPDATABLE_MSG,
  SUBSCRIBE_KEYWORD_PATTERN,
  SUBSCRIBE_VALUE_LIMITS,
  type CardState,
} from '../../wechat/platform/message-consts';
import { ACCESS_TOKEN_PARAM, PLATFORM_ERRCODES, PLATFORM_ERRMSG, isEnvVersion } from '../../wechat/platform/platform-consts';
import { encryptUserData } from '../../wechat/user-data';

/** The three simulated APIs, as faults name them. */
export const MESSAGE_APIS = ['activityid_create', 'updatablemsg_send', 'subscribe_send'] as const;
/** One of `MESSAGE_APIS`. */
export type SimulatedMessageApi = (typeof MESSAGE_APIS)[number];

/** The sandbox app's subscribe message templates (configured as WECHAT_TEMPLATE_* in the sandbox by default). */
export const SANDBOX_TEMPLATES = {
  friendPaid: 'sandbox-tpl-friend-paid-0000000000000000001',
  linkExpiring: 'sandbox-tpl-link-expiring-00000000000000002',
  refund: 'sandbox-tpl-refund-0000000000000000000000003',
} as const;

/** How the simulator is built. */
export interface WechatMessagesSimulatorOptions {
  clock: Clock;
  appId: string;
  /** The errcode for an access token (the platform simulator's `accessTokenProblem`), undefined when valid. */
  accessTokenProblem(token: unknown): number | undefined;
  /** The user's current session key (the login simulator's `sessionKeyOf`); undefined before their first login. */
  sessionKeyOf(openid: string): string | undefined;
  /** The app's subscribe message templates. @default the values of SANDBOX_TEMPLATES */
  templates?: readonly string[];
  /** Published pages a message may open. @default pay, share and dev */
  pages?: readonly string[];
  /** Subscribe messages the app may send a day (all templates) before 45009. @default 100000 */
  dailyMessageQuota?: number;
}

/** One change a card went through. */
export interface CardChange {
  /** `shared`: the card was first sent with its initial parameters; `update`: updatablemsg/send. */
  kind: 'shared' | 'update';
  targetState: CardState;
  memberCount: number | undefined;
  roomLimit: number | undefined;
  at: number;
}

/** A card as the chat shows it. */
export interface SimulatedCard {
  activityId: string;
  /** The only user who may share it (a private card), or undefined. */
  owner: string | undefined;
  createdAt: number;
  expiresAt: number;
  state: CardState;
  memberCount: number | undefined;
  roomLimit: number | undefined;
  /** What WeChat renders on the card now. */
  text: string;
  /** Every accepted change, oldest first: `shared`, then each `update`. */
  changes: CardChange[];
}

/** A subscribe message WeChat delivered. */
export interface SentSubscribeMessage {
  touser: string;
  templateId: string;
  page: string;
  data: Record<string, { value: string }>;
  miniprogramState: string;
  at: number;
}

/** A refused call, for tests that assert what was tried. */
export interface RefusedCall {
  api: SimulatedMessageApi;
  errcode: number;
  at: number;
}

/** A forced failure of one API. */
export interface MessageFault {
  api: SimulatedMessageApi;
  errcode: number;
  /** Calls left to fail; undefined: until cleared. */
  remaining: number | undefined;
}

/** What `wx.authPrivateMessage` answers in the chat. */
export interface PrivateMessageAuth {
  valid: boolean;
  encryptedData: string;
  iv: string;
}

/** A running simulator. */
export interface WechatMessagesSimulator {
  /** The three APIs; mount at `WECHAT_API_BASE_URL`'s path (beside the platform simulator). */
  router: Router;
  /** QA routes standing in for WeChat's app (`/wx/share`, `/wx/forward`, `/wx/auth-private-message`, `/wx/subscribe`, `/wx/cards/:id`, `/wx/messages`, `/wx/message-faults`); mount at `/sandbox`. */
  qaRouter: Router;
  card(activityId: string): SimulatedCard | undefined;
  /** Subscribe messages delivered so far, oldest first. */
  sentMessages(): SentSubscribeMessage[];
  /** Calls answered with an errcode, oldest first. */
  refusedCalls(): RefusedCall[];
  /** The user accepted (or not) `templateIds` in `wx.requestSubscribeMessage`; answers per template as WeChat does. */
  subscribe(openid: string, templateIds: readonly string[], result?: 'accept' | 'reject' | 'ban'): Record<string, string>;
  /** One-time subscriptions `openid` has left for `templateId`. */
  subscriptionsLeft(openid: string, templateId: string): number;
  /** `from` shares the card to `to` (a person or a group's members): a share ticket each of them opens it with. */
  share(activityId: string, from: string, to: readonly string[], initial?: { memberCount: number; roomLimit: number }): string;
  /** Someone who received the card sends it on to `to`: they open it with the returned ticket, but are not its recipients. */
  forward(shareTicket: string, to: readonly string[]): string;
  /** What `wx.authPrivateMessage({shareTicket})` answers `openid`, encrypted with their session key. */
  authPrivateMessage(shareTicket: string, openid: string): PrivateMessageAuth;
  faults: {
    set(fault: { api: SimulatedMessageApi; errcode: number; times?: number }): MessageFault;
    clear(api?: SimulatedMessageApi): void;
    current(): MessageFault[];
  };
}

/** Why a QA action was refused. */
export class WechatAppError extends Error {
  override readonly name = 'WechatAppError';
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

interface StoredCard {
  activityId: string;
  owner: string | undefined;
  createdAt: number;
  expiresAt: number;
  state: CardState;
  memberCount: number | undefined;
  roomLimit: number | undefined;
  changes: CardChange[];
}

interface ShareTicket {
  activityId: string;
  /** Users the card was sent to by its sharer; a forwarded ticket has none. */
  recipients: Set<string>;
}

function requestId(): string {
  const hex = crypto.randomBytes(12).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 16)}-${hex.slice(16, 24)}`;
}

function sendErrcode(res: Response, errcode: number): void {
  const message = MESSAGE_ERRMSG[errcode] ?? PLATFORM_ERRMSG[errcode] ?? 'error';
  res.status(200).json({ errcode, errmsg: `${message} rid: ${requestId()}` });
}

function renderCard(card: StoredCard): string {
  return CARD_TEXT[card.state]
    .replace('{member_count}', card.memberCount === undefined ? '?' : String(card.memberCount))
    .replace('{room_limit}', card.roomLimit === undefined ? '?' : String(card.roomLimit));
}

/** A count as the template carries it: a decimal string of a whole number. */
function countOf(value: unknown): number | undefined {
  return typeof value === 'string' && /^\d{1,6}$/.test(value) ? Number(value) : undefined;
}

const idList = z.array(z.string().min(1).max(128)).min(1).max(50);
const shareSchema = z.strictObject({
  activity_id: z.string().min(1).max(256),
  from_openid: z.string().min(1).max(128),
  to_openids: idList,
  template_info: z.strictObject({ parameter_list: z.array(z.strictObject({ name: z.string(), value: z.string() })).max(10) }).optional(),
});
const forwardSchema = z.strictObject({ share_ticket: z.string().min(1).max(128), to_openids: idList });
const authSchema = z.strictObject({ share_ticket: z.string().min(1).max(128), openid: z.string().min(1).max(128) });
const subscribeSchema = z.strictObject({ openid: z.string().min(1).max(128), template_ids: z.array(z.string().min(1).max(128)).min(1).max(3), result: z.enum(['accept', 'reject', 'ban']).optional() });
const faultSchema = z.strictObject({ api: z.enum(MESSAGE_APIS), errcode: z.number().int(), times: z.number().int().min(1).max(1000).optional() });

/** Creates a simulator for one mini program's messages. */
export function createWechatMessagesSimulator(options: WechatMessagesSimulatorOptions): WechatMessagesSimulator {
  const templates = new Set(options.templates ?? Object.values(SANDBOX_TEMPLATES));
  const pages = options.pages ?? ['pages/pay/index', 'pages/share/index', 'pages/dev/index'];
  const dailyQuota = options.dailyMessageQuota ?? 100_000;
  const cards = new Map<string, StoredCard>();
  const tickets = new Map<string, ShareTicket>();
  // One-time subscriptions: each accept adds one, each delivered message takes one.
  const subscriptions = new Map<string, number>();
  const sent: SentSubscribeMessage[] = [];
  const refused: RefusedCall[] = [];
  const faults = new Map<SimulatedMessageApi, MessageFault>();
  const sentPerDay = new Map<number, number>();
  const subscriptionKey = (openid: string, templateId: string): string => `${openid}\u0000${templateId}`;
  const now = (): number => options.clock.now();

  const takeFault = (api: SimulatedMessageApi): number | undefined => {
    const fault = faults.get(api);
    if (fault === undefined) return undefined;
    if (fault.remaining !== undefined) {
      fault.remaining -= 1;
      if (fault.remaining <= 0) faults.delete(api);
    }
    return fault.errcode;
  };

  const refuse = (res: Response, api: SimulatedMessageApi, errcode: number): void => {
    refused.push({ api, errcode, at: now() });
    sendErrcode(res, errcode);
  };

  const bodyOf = (req: Request): Record<string, unknown> | 'empty' | undefined => {
    const raw: unknown = req.body;
    if (typeof raw === 'object' && raw !== null && !Array.isArray(raw) && !Buffer.isBuffer(raw)) return raw as Record<string, unknown>;
    if (typeof raw !== 'string' || raw.trim() === '') return 'empty';
    try {
      const parsed = JSON.parse(raw) as unknown;
      return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
    } catch {
      return undefined;
    }
  };

  const cardView = (card: StoredCard): SimulatedCard => Object.assign({}, card, { changes: card.changes.map((change) => ({ ...change })), text: renderCard(card) });

  const router = express.Router({ caseSensitive: true });
  // WeChat reads the body as JSON whatever its content type says.
  const readText = express.text({ type: () => true, limit: '64kb' });

  router.get(PATH_CREATE_ACTIVITY_ID, (req: Request, res: Response) => {
    const problem = options.accessTokenProblem(req.query[ACCESS_TOKEN_PARAM]) ?? takeFault('activityid_create');
    if (problem !== undefined) return refuse(res, 'activityid_create', problem);
    const openid = req.query['openid'];
    const unionid = req.query['unionid'];
    if ((openid !== undefined && typeof openid !== 'string') || (unionid !== undefined && typeof unionid !== 'string')) {
      return refuse(res, 'activityid_create', PLATFORM_ERRCODES.INVALID_ARGS);
    }
    const createdAt = now();
    const expirationTime = Math.floor(createdAt / 1000) + ACTIVITY_ID_TTL_SECONDS;
    // WeChat's activity ids are long opaque strings, e.g. "1193_KLo57X0f...".
    const activityId = `${1000 + crypto.randomInt(9000)}_${randomBase62(64)}`;
    const owner = typeof openid === 'string' && openid !== '' ? openid : typeof unionid === 'string' && unionid !== '' ? unionid : undefined;
    cards.set(activityId, { activityId, owner, createdAt, expiresAt: expirationTime * 1000, state: CARD_STATE_OPEN, memberCount: undefined, roomLimit: undefined, changes: [] });
    res.json({ errcode: PLATFORM_ERRCODES.OK, errmsg: 'ok', activity_id: activityId, expiration_time: expirationTime });
  });

  router.post(PATH_SET_UPDATABLE_MSG, readText, (req: Request, res: Response) => {
    const problem = options.accessTokenProblem(req.query[ACCESS_TOKEN_PARAM]) ?? takeFault('updatablemsg_send');
    if (problem !== undefined) return refuse(res, 'updatablemsg_send', problem);
    const body = bodyOf(req);
    if (body === 'empty') return refuse(res, 'updatablemsg_send', MESSAGE_ERRCODES.POST_DATA_EMPTY);
    if (body === undefined) return refuse(res, 'updatablemsg_send', MESSAGE_ERRCODES.DATA_FORMAT_ERROR);
    const card = typeof body['activity_id'] === 'string' ? cards.get(body['activity_id']) : undefined;
    if (card === undefined) return refuse(res, 'updatablemsg_send', MESSAGE_ERRCODES.INVALID_ACTIVITY_ID);
    if (now() >= card.expiresAt) return refuse(res, 'updatablemsg_send', MESSAGE_ERRCODES.ACTIVITY_EXPIRED);
    const targetState = body['target_state'];
    // State 1 is final: nothing moves a started card again.
    if ((targetState !== CARD_STATE_OPEN && targetState !== CARD_STATE_DONE) || card.state === CARD_STATE_DONE) {
      return refuse(res, 'updatablemsg_send', MESSAGE_ERRCODES.INVALID_TARGET_STATE);
    }
    const info = body['template_info'];
    const list = typeof info === 'object' && info !== null ? (info as Record<string, unknown>)['parameter_list'] : undefined;
    if (!Array.isArray(list) || !list.every((item) => typeof item === 'object' && item !== null && typeof (item as Record<string, unknown>)['name'] === 'string' && typeof (item as Record<string, unknown>)['value'] === 'string')) {
      return refuse(res, 'updatablemsg_send', MESSAGE_ERRCODES.DATA_FORMAT_ERROR);
    }
    const params = new Map((list as { name: string; value: string }[]).map((item) => [item.name, item.value]));
    const memberCount = countOf(params.get(CARD_PARAM_MEMBER_COUNT));
    const roomLimit = countOf(params.get(CARD_PARAM_ROOM_LIMIT));
    if (targetState === CARD_STATE_OPEN && (memberCount === undefined || roomLimit === undefined)) return refuse(res, 'updatablemsg_send', MESSAGE_ERRCODES.DATA_FORMAT_ERROR);
    if (targetState === CARD_STATE_DONE) {
      const path = params.get(CARD_PARAM_PATH);
      if (path === undefined || !pages.includes(path.replace(/^\//, '').split('?')[0] ?? '')) return refuse(res, 'updatablemsg_send', MESSAGE_ERRCODES.DATA_FORMAT_ERROR);
      if (!isEnvVersion(params.get(CARD_PARAM_VERSION_TYPE))) return refuse(res, 'updatablemsg_send', MESSAGE_ERRCODES.INVALID_VERSION_TYPE);
    }
    card.state = targetState;
    if (memberCount !== undefined) card.memberCount = memberCount;
    if (roomLimit !== undefined) card.roomLimit = roomLimit;
    card.changes.push({ kind: 'update', targetState, memberCount, roomLimit, at: now() });
    res.json({ errcode: PLATFORM_ERRCODES.OK, errmsg: 'ok' });
  });

  router.post(PATH_SEND_SUBSCRIBE_MESSAGE, readText, (req: Request, res: Response) => {
    const problem = options.accessTokenProblem(req.query[ACCESS_TOKEN_PARAM]) ?? takeFault('subscribe_send');
    if (problem !== undefined) return refuse(res, 'subscribe_send', problem);
    const body = bodyOf(req);
    if (body === 'empty') return refuse(res, 'subscribe_send', MESSAGE_ERRCODES.POST_DATA_EMPTY);
    if (body === undefined) return refuse(res, 'subscribe_send', MESSAGE_ERRCODES.DATA_FORMAT_ERROR);
    const { touser, template_id: templateId, page, data } = body;
    const state = body['miniprogram_state'] ?? 'formal';
    if (typeof touser !== 'string' || options.sessionKeyOf(touser) === undefined) return refuse(res, 'subscribe_send', MESSAGE_ERRCODES.INVALID_OPENID);
    if (typeof templateId !== 'string' || !templates.has(templateId)) return refuse(res, 'subscribe_send', MESSAGE_ERRCODES.INVALID_TEMPLATE_ID);
    if (page !== undefined && (typeof page !== 'string' || !pages.includes(page.replace(/^\//, '').split('?')[0] ?? ''))) return refuse(res, 'subscribe_send', MESSAGE_ERRCODES.INVALID_PAGE);
    if (typeof state !== 'string' || !(MINIPROGRAM_STATES as readonly string[]).includes(state)) return refuse(res, 'subscribe_send', MESSAGE_ERRCODES.DATA_FORMAT_ERROR);
    if (typeof data !== 'object' || data === null || Array.isArray(data)) return refuse(res, 'subscribe_send', MESSAGE_ERRCODES.INVALID_TEMPLATE_DATA);
    const entries = Object.entries(data as Record<string, unknown>);
    const fits = entries.length > 0 && entries.every(([name, item]) => {
      const keyword = SUBSCRIBE_KEYWORD_PATTERN.exec(name);
      const value = typeof item === 'object' && item !== null ? (item as Record<string, unknown>)['value'] : undefined;
      const limit = keyword === null ? undefined : SUBSCRIBE_VALUE_LIMITS[keyword[1] ?? ''];
      return limit !== undefined && typeof value === 'string' && value !== '' && Array.from(value).length <= limit;
    });
    if (!fits) return refuse(res, 'subscribe_send', MESSAGE_ERRCODES.INVALID_TEMPLATE_DATA);
    // Without a one-time subscription left, WeChat refuses: the user did not (or no longer) agree.
    const key = subscriptionKey(touser, templateId);
    const left = subscriptions.get(key) ?? 0;
    if (left <= 0) return refuse(res, 'subscribe_send', MESSAGE_ERRCODES.USER_REFUSED);
    const day = Math.floor((now() + 8 * 3600_000) / 86_400_000);
    if ((sentPerDay.get(day) ?? 0) >= dailyQuota) return refuse(res, 'subscribe_send', MESSAGE_ERRCODES.QUOTA_REACHED);
    sentPerDay.set(day, (sentPerDay.get(day) ?? 0) + 1);
    subscriptions.set(key, left - 1);
    sent.push({ touser, templateId, page: typeof page === 'string' ? page : '', data: data as Record<string, { value: string }>, miniprogramState: state, at: now() });
    res.json({ errcode: PLATFORM_ERRCODES.OK, errmsg: 'ok' });
  });

  const simulator: WechatMessagesSimulator = {
    router,
    qaRouter: express.Router({ caseSensitive: true }),
    card(activityId) {
      const card = cards.get(activityId);
      return card === undefined ? undefined : cardView(card);
    },
    sentMessages: () => sent.map((message) => ({ ...message })),
    refusedCalls: () => refused.map((call) => ({ ...call })),
    subscribe(openid, templateIds, result = 'accept') {
      const answers: Record<string, string> = {};
      for (const templateId of templateIds) {
        if (!templates.has(templateId)) {
          answers[templateId] = 'filter';
          continue;
        }
        answers[templateId] = result;
        if (result === 'accept') subscriptions.set(subscriptionKey(openid, templateId), (subscriptions.get(subscriptionKey(openid, templateId)) ?? 0) + 1);
      }
      return answers;
    },
    subscriptionsLeft: (openid, templateId) => subscriptions.get(subscriptionKey(openid, templateId)) ?? 0,
    share(activityId, from, to, initial) {
      const card = cards.get(activityId);
      if (card === undefined) throw new WechatAppError(404, 'ACTIVITY_UNKNOWN', 'no such activity id: create it first');
      if (now() >= card.expiresAt) throw new WechatAppError(409, 'ACTIVITY_EXPIRED', 'this activity id has expired: the card cannot be shared');
      // A private card can be shared only by the user it was made for (createActivityId's openid).
      if (card.owner !== undefined && card.owner !== from) throw new WechatAppError(403, 'NOT_THE_SHARER', 'this private card was made for another user to share');
      if (initial !== undefined && card.changes.length === 0) {
        card.memberCount = initial.memberCount;
        card.roomLimit = initial.roomLimit;
        card.changes.push({ kind: 'shared', targetState: card.state, memberCount: initial.memberCount, roomLimit: initial.roomLimit, at: now() });
      }
      const ticket = randomBase62(32);
      tickets.set(ticket, { activityId, recipients: new Set(to) });
      return ticket;
    },
    forward(shareTicket, _to) {
      const original = tickets.get(shareTicket);
      if (original === undefined) throw new WechatAppError(404, 'TICKET_UNKNOWN', 'no such share ticket');
      const ticket = randomBase62(32);
      tickets.set(ticket, { activityId: original.activityId, recipients: new Set() });
      return ticket;
    },
    authPrivateMessage(shareTicket, openid) {
      const ticket = tickets.get(shareTicket);
      if (ticket === undefined) throw new WechatAppError(400, 'TICKET_UNKNOWN', 'authPrivateMessage:fail invalid shareTicket');
      const sessionKey = options.sessionKeyOf(openid);
      if (sessionKey === undefined) throw new WechatAppError(400, 'NOT_LOGGED_IN', 'authPrivateMessage:fail call wx.login first');
      const valid = ticket.recipients.has(openid);
      const watermark = { appid: options.appId, timestamp: Math.floor(now() / 1000) };
      // Only a recipient's data holds the activity id: a tampered `valid` proves nothing.
      const payload = valid ? { activityId: ticket.activityId, watermark } : { watermark };
      return { valid, ...encryptUserData(JSON.stringify(payload), sessionKey) };
    },
    faults: {
      set(fault) {
        const next: MessageFault = { api: fault.api, errcode: fault.errcode, remaining: fault.times };
        faults.set(fault.api, next);
        return { ...next };
      },
      clear(api) {
        if (api === undefined) faults.clear();
        else faults.delete(api);
      },
      current: () => [...faults.values()].map((fault) => ({ ...fault })),
    },
  };

  const qa = simulator.qaRouter;
  const json = express.json({ limit: '16kb' });
  const parse = <T>(schema: z.ZodType<T>, req: Request): T => {
    const parsed = schema.safeParse(req.body ?? {});
    if (!parsed.success) throw new WechatAppError(400, 'VALIDATION_FAILED', z.prettifyError(parsed.error));
    return parsed.data;
  };

  qa.post('/wx/share', json, (req: Request, res: Response) => {
    const body = parse(shareSchema, req);
    const params = new Map((body.template_info?.parameter_list ?? []).map((item) => [item.name, item.value]));
    const memberCount = countOf(params.get(CARD_PARAM_MEMBER_COUNT));
    const roomLimit = countOf(params.get(CARD_PARAM_ROOM_LIMIT));
    const initial = memberCount !== undefined && roomLimit !== undefined ? { memberCount, roomLimit } : undefined;
    res.json({ share_ticket: simulator.share(body.activity_id, body.from_openid, body.to_openids, initial) });
  });
  qa.post('/wx/forward', json, (req: Request, res: Response) => {
    const body = parse(forwardSchema, req);
    res.json({ share_ticket: simulator.forward(body.share_ticket, body.to_openids) });
  });
  qa.post('/wx/auth-private-message', json, (req: Request, res: Response) => {
    const body = parse(authSchema, req);
    res.json({ errMsg: 'authPrivateMessage:ok', ...simulator.authPrivateMessage(body.share_ticket, body.openid) });
  });
  qa.post('/wx/subscribe', json, (req: Request, res: Response) => {
    const body = parse(subscribeSchema, req);
    res.json({ errMsg: 'requestSubscribeMessage:ok', ...simulator.subscribe(body.openid, body.template_ids, body.result) });
  });
  qa.get('/wx/cards/:activityId', (req: Request, res: Response) => {
    const card = simulator.card(String(req.params['activityId']));
    if (card === undefined) throw new WechatAppError(404, 'ACTIVITY_UNKNOWN', 'no such activity id');
    res.json(card);
  });
  qa.get('/wx/messages', (_req: Request, res: Response) => {
    res.json({ messages: simulator.sentMessages(), refused: simulator.refusedCalls() });
  });
  qa.get('/wx/message-faults', (_req: Request, res: Response) => {
    res.json({ faults: simulator.faults.current() });
  });
  qa.post('/wx/message-faults', json, (req: Request, res: Response) => {
    const body = parse(faultSchema, req);
    simulator.faults.set({ api: body.api, errcode: body.errcode, ...(body.times === undefined ? {} : { times: body.times }) });
    res.json({ faults: simulator.faults.current() });
  });
  qa.delete('/wx/message-faults', (_req: Request, res: Response) => {
    simulator.faults.clear();
    res.json({ faults: [] });
  });
  qa.use((error: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (!(error instanceof WechatAppError)) return next(error);
    res.status(error.status).type('application/problem+json').send(JSON.stringify({ type: 'about:blank', title: 'WeChat refused', status: error.status, code: error.code, detail: error.message }));
  });

  return simulator;
}
