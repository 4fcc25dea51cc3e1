/**
 * A hand-written stand-in for `@tarojs/taro` in jsdom (aliased in vitest.config.mts): the APIs
 * the pages call, each recorded so a test can assert on it, and the network replaced by a fake
 * server the test scripts route by route.
 */

/** One request the page sent. */
export interface RecordedRequest {
  method: string;
  /** Path and query, without the API origin. */
  path: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
}

/** What a fake route answers: a status and JSON body, or a dropped connection. */
export type FakeAnswer = { status: number; body?: unknown } | 'network-error';

type Route = { method: string; pattern: RegExp; answer: (request: RecordedRequest) => FakeAnswer | Promise<FakeAnswer> };

/** The fake API server behind `Taro.request`. Later routes win, so a test can override a default. */
export class FakeServer {
  readonly requests: RecordedRequest[] = [];
  private routes: Route[] = [];

  /** Answers `method` requests whose path matches `pattern`. */
  on(method: string, pattern: RegExp, answer: FakeAnswer | ((request: RecordedRequest) => FakeAnswer | Promise<FakeAnswer>)): this {
    this.routes.unshift({ method, pattern, answer: typeof answer === 'function' ? answer : () => answer });
    return this;
  }

  /** The requests sent to `method` paths matching `pattern`. */
  sent(method: string, pattern: RegExp): RecordedRequest[] {
    return this.requests.filter((request) => request.method === method && pattern.test(request.path));
  }

  reset(): void {
    this.requests.length = 0;
    this.routes = [];
  }

  async handle(request: RecordedRequest): Promise<FakeAnswer> {
    this.requests.push(request);
    const route = this.routes.find((candidate) => candidate.method === request.method && candidate.pattern.test(request.path));
    if (route === undefined) return { status: 404, body: { type: 'about:blank', title: 'Not found', status: 404, code: 'NOT_FOUND' } };
    return route.answer(request);
  }
}

/** A 2D context that records what was drawn. */
export class FakeCanvasContext {
  fillStyle: unknown = '#000';
  font = '';
  textAlign = 'start';
  textBaseline = 'alphabetic';
  readonly rects: number[][] = [];
  readonly texts: string[] = [];
  /** Images drawn, by the `src` they were loaded from, with where they went. */
  readonly images: { src: string; at: number[] }[] = [];
  scale(): void {}
  drawImage(image: FakeImage, x: number, y: number, width: number, height: number): void {
    this.images.push({ src: image.src, at: [x, y, width, height] });
  }
  fillRect(x: number, y: number, width: number, height: number): void {
    this.rects.push([x, y, width, height]);
  }
  fillText(text: string): void {
    this.texts.push(text);
  }
}

/** An image made by WeChat's `canvas.createImage()`: it loads (asynchronously) unless `taro.imagesFail`. */
export class FakeImage {
  onload: (() => void) | null = null;
  onerror: ((error: unknown) => void) | null = null;
  #src = '';
  get src(): string {
    return this.#src;
  }
  set src(value: string) {
    this.#src = value;
    taro.imagesLoaded.push(value);
    setTimeout(() => (taro.imagesFail ? this.onerror?.(new Error('download failed')) : this.onload?.()), 0);
  }
}

/** A canvas node as `createSelectorQuery().node()` hands it out. */
export class FakeCanvasNode {
  createImage(): FakeImage {
    return new FakeImage();
  }
  width = 300;
  height = 150;
  readonly context = new FakeCanvasContext();
  getContext(): FakeCanvasContext {
    return this.context;
  }
  toDataURL(): string {
    return 'data:image/png;base64,cG9zdGVy';
  }
}

type Callback = (...args: unknown[]) => unknown;

/** Everything a test can script or inspect. Reset after each test by the setup file. */
export const taro = {
  server: new FakeServer(),
  router: { params: {} as Record<string, string | undefined>, path: '/pages/pay/index' },
  storage: new Map<string, unknown>(),
  /** What `getAppBaseInfo().language` says. */
  language: 'zh_CN',
  /** The page's latest `useShareAppMessage` callback. */
  share: undefined as Callback | undefined,
  clipboard: [] as string[],
  toasts: [] as string[],
  navigations: [] as string[],
  /** Titles set with `setNavigationBarTitle`, latest last. */
  titles: [] as string[],
  savedImages: [] as string[],
  /** Files copied with the file system manager, as `src -> dest`; `copyFails` makes the copy fail (storage full). */
  copiedFiles: [] as string[],
  copyFails: false,
  payments: [] as Record<string, unknown>[],
  /** What `requestPayment` does: resolve, or fail like WeChat's sheet does. */
  paymentOutcome: 'success' as 'success' | 'cancel' | 'fail',
  logins: 0,
  canvas: undefined as FakeCanvasNode | undefined,
  /** Sources the canvas's images were asked to load. */
  imagesLoaded: [] as string[],
  /** Make canvas images fail to load (no network, the server refused). */
  imagesFail: false,
  /** What `getEnv()` says: `WEB` (a browser, the H5 build) or `WEAPP` (inside WeChat). */
  env: 'WEB' as 'WEB' | 'WEAPP',
  /** Every `updateShareMenu` option, latest last. */
  shareMenus: [] as Record<string, unknown>[],
  /** Every `requestSubscribeMessage` call's template ids. */
  subscribeRequests: [] as string[][],
  /** What `requestSubscribeMessage` answers per template id (default: accept). */
  subscribeAnswer: 'accept' as 'accept' | 'reject' | 'ban',
  /** What `getEnterOptionsSync()` says the page was opened with. */
  enterOptions: { path: 'pages/pay/index', query: {} } as { path: string; query: Record<string, string>; shareTicket?: string },
  /** What `authPrivateMessage` answers, or how it fails. */
  privateMessage: { valid: true, encryptedData: 'ZW5jcnlwdGVk', iv: 'aXZpdml2aXZpdml2aXZpdg==' } as { valid: boolean; encryptedData: string; iv: string } | 'fail',
  /** The share tickets `authPrivateMessage` was called with. */
  privateMessageTickets: [] as string[],
  reset(): void {
    this.server.reset();
    this.router = { params: {}, path: '/pages/pay/index' };
    this.storage.clear();
    this.language = 'zh_CN';
    this.share = undefined;
    this.clipboard = [];
    this.toasts = [];
    this.navigations = [];
    this.titles = [];
    this.savedImages = [];
    this.copiedFiles = [];
    this.copyFails = false;
    this.payments = [];
    this.paymentOutcome = 'success';
    this.logins = 0;
    this.canvas = undefined;
    this.imagesLoaded = [];
    this.imagesFail = false;
    this.env = 'WEB';
    this.shareMenus = [];
    this.subscribeRequests = [];
    this.subscribeAnswer = 'accept';
    this.enterOptions = { path: 'pages/pay/index', query: {} };
    this.privateMessage = { valid: true, encryptedData: 'ZW5jcnlwdGVk', iv: 'aXZpdml2aXZpdml2aXZpdg==' };
    this.privateMessageTickets = [];
  },
};

interface RequestOption {
  url: string;
  method?: string;
  header?: Record<string, string>;
  data?: unknown;
}

async function request(option: RequestOption): Promise<{ statusCode: number; data: unknown; header: Record<string, string> }> {
  const url = new URL(option.url, 'https://api.test');
  const recorded: RecordedRequest = {
    method: option.method ?? 'GET',
    path: `${url.pathname}${url.search}`,
    url: option.url,
    headers: Object.fromEntries(Object.entries(option.header ?? {}).map(([name, value]) => [name.toLowerCase(), value])),
    body: option.data,
  };
  // Like the real thing, answers arrive on a later tick, never synchronously.
  await Promise.resolve();
  const answer = await taro.server.handle(recorded);
  if (answer === 'network-error') throw new WxFailure('request:fail net::ERR_CONNECTION_REFUSED');
  return { statusCode: answer.status, data: answer.body ?? '', header: {} };
}

/** A failed WeChat API call: like Taro's `{errMsg}` rejections, as an Error so stacks survive. */
class WxFailure extends Error {
  constructor(readonly errMsg: string) {
    super(errMsg);
  }
}

function getStorageSync(key: string): unknown {
  // WeChat answers '' for a missing key.
  return taro.storage.has(key) ? structuredClone(taro.storage.get(key)) : '';
}

function setStorageSync(key: string, value: unknown): void {
  taro.storage.set(key, structuredClone(value));
}

function removeStorageSync(key: string): void {
  taro.storage.delete(key);
}

function login(): Promise<{ code: string; errMsg: string }> {
  taro.logins += 1;
  return Promise.resolve({ code: `wx-code-${taro.logins}`, errMsg: 'login:ok' });
}

function requestPayment(params: Record<string, unknown>): Promise<{ errMsg: string }> {
  taro.payments.push(params);
  if (taro.paymentOutcome === 'success') return Promise.resolve({ errMsg: 'requestPayment:ok' });
  return Promise.reject(new WxFailure(taro.paymentOutcome === 'cancel' ? 'requestPayment:fail cancel' : 'requestPayment:fail system error'));
}

function getAppBaseInfo(): { language: string } {
  return { language: taro.language };
}

function getSystemInfoSync(): { language: string; pixelRatio: number } {
  return { language: taro.language, pixelRatio: 2 };
}

function getWindowInfo(): { pixelRatio: number } {
  return { pixelRatio: 2 };
}

function setClipboardData(option: { data: string }): Promise<{ errMsg: string }> {
  taro.clipboard.push(option.data);
  return Promise.resolve({ errMsg: 'setClipboardData:ok' });
}

function showToast(option: { title: string }): Promise<{ errMsg: string }> {
  taro.toasts.push(option.title);
  return Promise.resolve({ errMsg: 'showToast:ok' });
}

function navigateTo(option: { url: string }): Promise<{ errMsg: string }> {
  taro.navigations.push(option.url);
  return Promise.resolve({ errMsg: 'navigateTo:ok' });
}

function setNavigationBarTitle(option: { title: string }): Promise<{ errMsg: string }> {
  taro.titles.push(option.title);
  return Promise.resolve({ errMsg: 'setNavigationBarTitle:ok' });
}

function saveImageToPhotosAlbum(option: { filePath: string }): Promise<{ errMsg: string }> {
  taro.savedImages.push(option.filePath);
  return Promise.resolve({ errMsg: 'saveImageToPhotosAlbum:ok' });
}

function getFileSystemManager() {
  return {
    copyFile(option: { srcPath: string; destPath: string; success?: () => void; fail?: (error: { errMsg: string }) => void }): void {
      if (taro.copyFails) {
        option.fail?.({ errMsg: 'copyFile:fail the maximum size of the file storage limit is exceeded' });
        return;
      }
      taro.copiedFiles.push(`${option.srcPath} -> ${option.destPath}`);
      option.success?.();
    },
  };
}

/** `Taro.env` as WeChat's base library gives it: the user data folder files can be written to. */
const env = { USER_DATA_PATH: 'wxfile://usr' };

function canvasToTempFilePath(): Promise<{ tempFilePath: string }> {
  return Promise.resolve({ tempFilePath: 'wxfile://tmp/poster.png' });
}

function createSelectorQuery() {
  const pending: (() => void)[] = [];
  const query = {
    select(selector: string) {
      return {
        node(callback: (result: { node: FakeCanvasNode | null }) => void) {
          pending.push(() => {
            // The node exists once the page rendered the canvas element.
            const rendered = document.querySelector(selector) !== null;
            if (rendered) taro.canvas ??= new FakeCanvasNode();
            callback({ node: rendered ? (taro.canvas ?? null) : null });
          });
          return query;
        },
      };
    },
    exec() {
      for (const run of pending.splice(0)) run();
    },
  };
  return query;
}

const ENV_TYPE = { WEAPP: 'WEAPP', WEB: 'WEB', SWAN: 'SWAN', ALIPAY: 'ALIPAY', TT: 'TT', QQ: 'QQ', JD: 'JD' } as const;

function getEnv(): string {
  return taro.env;
}

function updateShareMenu(option: Record<string, unknown>): Promise<{ errMsg: string }> {
  taro.shareMenus.push(option);
  return Promise.resolve({ errMsg: 'updateShareMenu:ok' });
}

function requestSubscribeMessage(option: { tmplIds: string[] }): Promise<Record<string, string>> {
  taro.subscribeRequests.push([...option.tmplIds]);
  return Promise.resolve({ errMsg: 'requestSubscribeMessage:ok', ...Object.fromEntries(option.tmplIds.map((id) => [id, taro.subscribeAnswer])) });
}

function getEnterOptionsSync(): { path: string; query: Record<string, string>; shareTicket?: string } {
  return taro.enterOptions;
}

function authPrivateMessage(option: { shareTicket: string }): Promise<{ errMsg: string; valid: boolean; encryptedData: string; iv: string }> {
  taro.privateMessageTickets.push(option.shareTicket);
  // WeChat fails with an object carrying errMsg.
  if (taro.privateMessage === 'fail') return Promise.reject(Object.assign(new Error('authPrivateMessage:fail'), { errMsg: 'authPrivateMessage:fail invalid shareTicket' }));
  return Promise.resolve({ errMsg: 'authPrivateMessage:ok', ...taro.privateMessage });
}

/** `useRouter()`: the params the test put in `taro.router`. */
export function useRouter(): { params: Record<string, string | undefined>; path: string } {
  return taro.router;
}

/** `useShareAppMessage(callback)`: keeps the latest callback for the test to call. */
export function useShareAppMessage(callback: Callback): void {
  taro.share = callback;
}

/** Page show/hide lifecycles: the page is always shown in a test. */
export function useDidShow(): void {}
export function useDidHide(): void {}

const eventCenter = { on(): void {}, off(): void {}, trigger(): void {} };

const Taro = {
  request,
  getStorageSync,
  setStorageSync,
  removeStorageSync,
  login,
  requestPayment,
  getAppBaseInfo,
  getSystemInfoSync,
  getWindowInfo,
  setClipboardData,
  showToast,
  navigateTo,
  setNavigationBarTitle,
  saveImageToPhotosAlbum,
  canvasToTempFilePath,
  getFileSystemManager,
  env,
  createSelectorQuery,
  useRouter,
  useShareAppMessage,
  useDidShow,
  useDidHide,
  eventCenter,
  ENV_TYPE,
  getEnv,
  updateShareMenu,
  requestSubscribeMessage,
  getEnterOptionsSync,
  authPrivateMessage,
};

export default Taro;
