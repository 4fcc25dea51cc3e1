// Every wire string of WeChat's message APIs used for live status in the chat: updatable share
// cards (动态消息), subscribe messages (订阅消息) and private messages (私密消息). The client and
// the sandbox simulator both read them from here, so the two cannot drift apart.

/** Creates an activity id for an updatable or private share card (GET, query parameters). */
export const PATH_CREATE_ACTIVITY_ID = '/cgi-bin/message/wxopen/activityid/create';
/** Changes the state of a shared updatable card. */
export const PATH_SET_UPDATABLE_MSG = '/cgi-bin/message/wxopen/updatablemsg/send';
/** Sends one subscribe message (consumes one of the user's one-time subscriptions). */
export const PATH_SEND_SUBSCRIBE_MESSAGE = '/cgi-bin/message/subscribe/send';

/** An activity id lives 24 hours unless WeChat says otherwise. */
export const ACTIVITY_ID_TTL_SECONDS = 24 * 60 * 60;

/** `target_state` of an updatable card: 0 members joining ({member_count}/{room_limit}), 1 started (final). */
export const CARD_STATE_OPEN = 0;
export const CARD_STATE_DONE = 1;
/** One of the two card states. */
export type CardState = typeof CARD_STATE_OPEN | typeof CARD_STATE_DONE;

/** Parameter names of the card's template. */
export const CARD_PARAM_MEMBER_COUNT = 'member_count';
export const CARD_PARAM_ROOM_LIMIT = 'room_limit';
/** Required by WeChat with `target_state` 1: where 「进入」 opens the mini program, and which build. */
export const CARD_PARAM_PATH = 'path';
export const CARD_PARAM_VERSION_TYPE = 'version_type';

/** What WeChat shows on a card in each state (fixed by WeChat; the simulator renders the same). */
export const CARD_TEXT: Readonly<Record<CardState, string>> = {
  [CARD_STATE_OPEN]: '成员正在加入，当前 {member_count}/{room_limit} 人',
  [CARD_STATE_DONE]: '已开始',
};

/** `miniprogram_state` of a subscribe message: which build its page opens. */
export const MINIPROGRAM_STATES = ['developer', 'trial', 'formal'] as const;
/** One of `MINIPROGRAM_STATES`. */
export type MiniprogramState = (typeof MINIPROGRAM_STATES)[number];

/** Subscribe message `data`: keyword name -> `{value}`; names are the template's keywords, e.g. `thing1`. */
export type SubscribeMessageData = Record<string, { value: string }>;
/** A keyword name: its kind (`thing`, `amount`, `time`, ...) followed by its number. */
export const SUBSCRIBE_KEYWORD_PATTERN = /^(thing|amount|time|date|character_string|phrase|name|number|letter|symbol|phone_number|car_number)(\d{1,2})$/;
/** The longest value WeChat accepts per keyword kind (characters); a longer one is refused with 47003. */
export const SUBSCRIBE_VALUE_LIMITS: Readonly<Record<string, number>> = {
  thing: 20,
  amount: 32,
  time: 32,
  date: 32,
  character_string: 32,
  phrase: 5,
  name: 10,
  number: 32,
  letter: 32,
  symbol: 5,
  phone_number: 17,
  car_number: 8,
};

/** `result` values `wx.requestSubscribeMessage` reports per template id. */
export const SUBSCRIBE_RESULTS = ['accept', 'reject', 'ban', 'filter'] as const;
/** One of `SUBSCRIBE_RESULTS`. */
export type SubscribeResult = (typeof SUBSCRIBE_RESULTS)[number];

/** `errcode` values of these APIs (the common ones, -1 and the token codes, are in platform-consts.ts). */
export const MESSAGE_ERRCODES = {
  /** The body is empty. */
  POST_DATA_EMPTY: 44002,
  /** The body is not JSON, or a field has the wrong type. */
  DATA_FORMAT_ERROR: 47001,
  /** subscribe/send: `touser` is not a user of this app. */
  INVALID_OPENID: 40003,
  /** subscribe/send: `template_id` is not one of this app's templates. */
  INVALID_TEMPLATE_ID: 40037,
  /** subscribe/send: `page` is not a page of the mini program. */
  INVALID_PAGE: 41030,
  /** subscribe/send: the user has no subscription left for this template (refused, or never subscribed). */
  USER_REFUSED: 43101,
  /** subscribe/send: `data` does not fit the template's keywords. */
  INVALID_TEMPLATE_DATA: 47003,
  /** updatablemsg/send: `activity_id` is unknown (or not this app's). */
  INVALID_ACTIVITY_ID: 47501,
  /** updatablemsg/send: `target_state` is not 0 or 1, or the card is already in state 1 (final). */
  INVALID_TARGET_STATE: 47502,
  /** updatablemsg/send: `version_type` is not develop, trial or release. */
  INVALID_VERSION_TYPE: 47503,
  /** updatablemsg/send: the activity id has expired. */
  ACTIVITY_EXPIRED: 47504,
  /** Daily quota of the API used up. */
  QUOTA_REACHED: 45009,
} as const;

/** The `errmsg` WeChat sends with each of these errcodes (a `rid` is appended). */
export const MESSAGE_ERRMSG: Readonly<Record<number, string>> = {
  [MESSAGE_ERRCODES.POST_DATA_EMPTY]: 'empty post data',
  [MESSAGE_ERRCODES.DATA_FORMAT_ERROR]: 'data format error',
  [MESSAGE_ERRCODES.INVALID_OPENID]: 'invalid openid',
  [MESSAGE_ERRCODES.INVALID_TEMPLATE_ID]: 'invalid template_id',
  [MESSAGE_ERRCODES.INVALID_PAGE]: 'invalid page',
  [MESSAGE_ERRCODES.USER_REFUSED]: 'user refuse to accept the msg',
  [MESSAGE_ERRCODES.INVALID_TEMPLATE_DATA]: 'argument invalid! data.value not match',
  [MESSAGE_ERRCODES.INVALID_ACTIVITY_ID]: 'invalid activity_id',
  [MESSAGE_ERRCODES.INVALID_TARGET_STATE]: 'invalid target_state',
  [MESSAGE_ERRCODES.INVALID_VERSION_TYPE]: 'invalid version_type',
  [MESSAGE_ERRCODES.ACTIVITY_EXPIRED]: 'activity_id expired',
  [MESSAGE_ERRCODES.QUOTA_REACHED]: 'reach max api daily quota limit',
};

/** WeChat's encrypted user data (wx.authPrivateMessage, getShareInfo, ...): AES-128-CBC, PKCS#7. */
export const USER_DATA_CIPHER = 'aes-128-cbc';
/** The session_key and iv are 16 bytes, sent as base64. */
export const USER_DATA_KEY_BYTES = 16;
