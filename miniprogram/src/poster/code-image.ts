/**
 * Loads the link's mini program code image (`qr_url`) for the poster canvas: WeChat's 2D canvas
 * makes its own images (`canvas.createImage()`, network URLs from the downloadFile domains), a
 * browser canvas draws DOM images (CORS-enabled, so the poster can still be saved).
 */
import type { PosterImage } from './poster';

/** An image being loaded, as both runtimes hand one out. */
interface LoadingImage {
  src: string;
  crossOrigin?: string | null;
  onload: (() => void) | null;
  onerror: ((...args: unknown[]) => void) | null;
}

/** A canvas node that may make images (WeChat's); a browser's does not. */
export interface ImageMakingCanvas {
  createImage?: () => unknown;
}

/** A code image that has not loaded by then is given up on: the poster draws the URL's QR code instead. */
export const CODE_IMAGE_TIMEOUT_MS = 5000;

/** The loaded image, or undefined when it cannot be had (no network, the server refused, too slow). */
export function loadCodeImage(canvas: ImageMakingCanvas, src: string, timeoutMs = CODE_IMAGE_TIMEOUT_MS): Promise<PosterImage | undefined> {
  let image: LoadingImage;
  if (typeof canvas.createImage === 'function') {
    image = canvas.createImage() as LoadingImage;
  } else if (typeof Image === 'function') {
    image = new Image() as unknown as LoadingImage;
    image.crossOrigin = 'anonymous';
  } else {
    return Promise.resolve(undefined);
  }
  return new Promise((resolve) => {
    const timer = setTimeout(() => settle(undefined), timeoutMs);
    let settled = false;
    function settle(result: PosterImage | undefined): void {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      image.onload = null;
      image.onerror = null;
      resolve(result);
    }
    image.onload = () => settle(image);
    image.onerror = () => settle(undefined);
    image.src = src;
  });
}
