/**
 * The shopper's QR poster: who asks, how much, where, and the link's mini program code (scanned
 * or long-pressed in WeChat, it opens the pay page), drawn on a 2D canvas (the mini program's
 * `<Canvas type="2d">` or an HTML canvas in H5 builds). Without the code image (it could not be
 * loaded) the poster carries a QR code of the link's URL instead, which WeChat also opens.
 */
import qrcode from 'qrcode-generator';

/** Poster size in CSS pixels, as shown on the page; the saved image is larger (`posterScale`). */
export const POSTER_WIDTH = 300;
export const POSTER_HEIGHT = 440;
/** The saved poster is at least this many pixels wide: sharp on any phone screen and in print. */
export const POSTER_EXPORT_WIDTH = 750;

/** How many backing-store pixels per CSS pixel: the screen's ratio, but never under 750 px wide. */
export function posterScale(pixelRatio: number): number {
  return Math.max(pixelRatio, POSTER_EXPORT_WIDTH / POSTER_WIDTH);
}

/**
 * The saved poster's file name: the shop and the order, so a folder of posters reads at a glance
 * (`好物小店-Demo-Shop-订单-demo-o123.png`). Characters file systems refuse become `-`.
 */
export function posterFileName(shopName: string, shopOrderId: string): string {
  const clean = (value: string): string => Array.from(value.replace(/[\\/:*?"<>|\s\u0000-\u001f]+/g, '-').replace(/^-+|-+$/g, '')).slice(0, 40).join('');
  return `${clean(shopName) || 'shop'}-订单-${clean(shopOrderId) || 'order'}.png`;
}

/** An image a 2D context can draw: WeChat's `canvas.createImage()` or a browser's `Image`. */
export type PosterImage = object;

/** The part of a 2D context the poster uses: the same on WeChat's canvas and the browser's. */
export interface PosterContext {
  drawImage(image: PosterImage, x: number, y: number, width: number, height: number): void;
  fillStyle: string | CanvasGradient | CanvasPattern;
  font: string;
  textAlign: CanvasTextAlign;
  textBaseline: CanvasTextBaseline;
  scale(x: number, y: number): void;
  fillRect(x: number, y: number, width: number, height: number): void;
  fillText(text: string, x: number, y: number, maxWidth?: number): void;
}

/** What the poster says. */
export interface PosterContent {
  /** e.g. `张* 请你帮忙付款` */
  headline: string;
  amount: string;
  shopName: string;
  /** e.g. `微信扫码帮我付款` */
  hint: string;
  /** What the fallback QR code encodes. */
  url: string;
  /** The link's mini program code image, loaded; the QR code of `url` is drawn without it. */
  codeImage?: PosterImage;
}

/** The QR code of `text` as a square of dark (true) and light modules. */
export function qrModules(text: string): boolean[][] {
  // Level M survives a crumpled or partly covered printout while keeping the code small.
  const code = qrcode(0, 'M');
  code.addData(text);
  code.make();
  const count = code.getModuleCount();
  return Array.from({ length: count }, (_, row) => Array.from({ length: count }, (__, col) => code.isDark(row, col)));
}

/** Draws the poster at CSS-pixel coordinates; `pixelRatio` scales it onto a sharper backing store. */
export function drawPoster(context: PosterContext, content: PosterContent, pixelRatio: number): void {
  context.scale(pixelRatio, pixelRatio);
  context.fillStyle = '#07c160';
  context.fillRect(0, 0, POSTER_WIDTH, POSTER_HEIGHT);
  context.fillStyle = '#ffffff';
  context.fillRect(16, 16, POSTER_WIDTH - 32, POSTER_HEIGHT - 32);

  const center = POSTER_WIDTH / 2;
  const textWidth = POSTER_WIDTH - 56;
  context.textAlign = 'center';
  context.textBaseline = 'middle';
  context.fillStyle = '#111111';
  context.font = 'bold 18px sans-serif';
  context.fillText(content.headline, center, 52, textWidth);
  context.font = 'bold 34px sans-serif';
  context.fillText(content.amount, center, 96, textWidth);
  context.fillStyle = '#666666';
  context.font = '14px sans-serif';
  context.fillText(content.shopName, center, 132, textWidth);

  const side = 200;
  const top = 156;
  let drawn: number;
  if (content.codeImage !== undefined) {
    drawn = side;
    context.drawImage(content.codeImage, Math.round(center - side / 2), top, side, side);
  } else {
    drawn = drawUrlQr(context, content.url, center, top, side);
  }

  context.fillStyle = '#07c160';
  context.font = '15px sans-serif';
  context.fillText(content.hint, center, top + drawn + 28, textWidth);
}

/** Draws a QR code of `url`, `side` pixels at most, centred at `center`; returns the drawn size. */
function drawUrlQr(context: PosterContext, url: string, center: number, top: number, side: number): number {
  const modules = qrModules(url);
  const quietZone = 4;
  const cell = Math.floor(side / (modules.length + quietZone * 2));
  const drawn = cell * (modules.length + quietZone * 2);
  const left = Math.round(center - drawn / 2);
  context.fillStyle = '#ffffff';
  context.fillRect(left, top, drawn, drawn);
  context.fillStyle = '#000000';
  modules.forEach((row, y) =>
    row.forEach((dark, x) => {
      if (dark) context.fillRect(left + (x + quietZone) * cell, top + (y + quietZone) * cell, cell, cell);
    }),
  );
  return drawn;
}
