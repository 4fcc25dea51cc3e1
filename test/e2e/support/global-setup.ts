// Before any browser test: Chromium must be there (a clear failure, never a skip), and the H5
// build must be current (built here, about 30 s, when missing or older than the sources).
import { ensureMiniBuild } from '../../miniprogram/build/mini-build';
import { requireChromium } from './chromium';

export default async function setup(): Promise<void> {
  requireChromium();
  await ensureMiniBuild('h5');
}
