/**
 * H5 pay page load time in Chromium: from navigation to the pay page of a demo link until its
 * pay button (the page's content) is visible. Each load uses a fresh browser context, so nothing
 * is cached: a friend opening a shared link for the first time.
 */
import fs from 'node:fs';
import { chromium } from 'playwright-core';

const CHROMIUM_PATH = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Times of each load, in ms, or why none could be measured. */
export type H5LoadResult = { loadsMs: number[]; domContentLoadedMs: number[] } | { error: string };

/** Loads `/app/#/pages/pay/index?t=<token>` from `serverUrl` `loads` times. */
export async function measureH5Load(serverUrl: string, token: string, loads: number): Promise<H5LoadResult> {
  if (!fs.existsSync(CHROMIUM_PATH)) return { error: `Chromium is not installed at ${CHROMIUM_PATH} (apt-get install -y chromium)` };
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
  const loadsMs: number[] = [];
  const domContentLoadedMs: number[] = [];
  try {
    for (let n = 0; n < loads; n++) {
      const context = await browser.newContext({ viewport: { width: 375, height: 667 }, locale: 'zh-CN' });
      const page = await context.newPage();
      try {
        const started = performance.now();
        await page.goto(`${serverUrl}/app/#/pages/pay/index?t=${token}`, { waitUntil: 'commit' });
        await page.getByTestId('pay-button').waitFor({ state: 'visible', timeout: 15_000 });
        loadsMs.push(performance.now() - started);
        domContentLoadedMs.push(await page.evaluate(() => {
          const [entry] = performance.getEntriesByType('navigation') as PerformanceNavigationTiming[];
          return entry === undefined ? Number.NaN : entry.domContentLoadedEventEnd;
        }));
      } catch (error: unknown) {
        return { error: `the pay page did not show its pay button: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}` };
      } finally {
        await context.close();
      }
    }
  } finally {
    await browser.close();
  }
  return { loadsMs, domContentLoadedMs };
}
