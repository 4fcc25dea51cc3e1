/**
 * The H5 pay page in Chromium, as a friend feels it: the load time (navigation until the pay
 * button is visible; a fresh browser context each time, so nothing is cached: a friend opening a
 * shared link for the first time), and the tap on 确认付款 until the (sandbox) pay sheet shows.
 * Run alone against a running sandbox server: `tsx bench/h5-load.ts http://127.0.0.1:3000 [rounds]`.
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

/** Times from the tap on the pay button to the pay sheet, in ms, or why none could be measured. */
export type H5TapResult = { tapToSheetMs: number[] } | { error: string };

/**
 * The tap on 确认付款 until the sandbox pay sheet is visible, `rounds` times, each as a new friend
 * (fresh context) who reads the page first: the page logs in while they read (wx.login + session),
 * so the tap costs only the payment request (reservation, WeChat Pay prepay, signature). Each round
 * then cancels in the sheet, which frees the single-mode link for the next friend. The time
 * includes Playwright's own round trips to the browser (a few ms).
 */
export async function measureTapToSheet(serverUrl: string, token: string, rounds: number): Promise<H5TapResult> {
  if (!fs.existsSync(CHROMIUM_PATH)) return { error: `Chromium is not installed at ${CHROMIUM_PATH} (apt-get install -y chromium)` };
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
  const tapToSheetMs: number[] = [];
  try {
    for (let n = 0; n < rounds; n++) {
      const context = await browser.newContext({ viewport: { width: 375, height: 667 }, locale: 'zh-CN' });
      const page = await context.newPage();
      try {
        // The friend reads until the page has logged in (what a person does in the first seconds).
        const session = page.waitForResponse((response) => response.url().endsWith('/v1/sessions'), { timeout: 15_000 });
        await page.goto(`${serverUrl}/app/#/pages/pay/index?t=${token}`);
        await page.getByTestId('pay-button').waitFor({ state: 'visible', timeout: 15_000 });
        await session;
        const tapped = performance.now();
        await page.getByTestId('pay-button').click();
        await page.getByTestId('sandbox-pay-sheet').waitFor({ state: 'visible', timeout: 15_000 });
        tapToSheetMs.push(performance.now() - tapped);
        await page.getByTestId('sheet-cancel').click();
        await page.getByTestId('notice').waitFor({ state: 'visible', timeout: 15_000 });
      } catch (error: unknown) {
        return { error: `the pay sheet did not show: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}` };
      } finally {
        await context.close();
      }
    }
  } finally {
    await browser.close();
  }
  return { tapToSheetMs };
}

/** `tsx bench/h5-load.ts <server url> [rounds]`: both measurements against a running sandbox server, as JSON. */
async function smoke(serverUrl: string, rounds: number): Promise<void> {
  const demo = (await (await fetch(`${serverUrl}/sandbox/demo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).json()) as { link: { token: string } };
  const load = await measureH5Load(serverUrl, demo.link.token, rounds);
  const tap = await measureTapToSheet(serverUrl, demo.link.token, rounds);
  process.stdout.write(`${JSON.stringify({ load, tap }, (_key, value: unknown) => (typeof value === 'number' ? Math.round(value) : value))}\n`);
}

if (require.main === module) {
  const [serverUrl, rounds = '5'] = process.argv.slice(2);
  if (serverUrl === undefined) {
    process.stderr.write('usage: tsx bench/h5-load.ts <sandbox server url> [rounds]\n');
    process.exit(1);
  }
  smoke(serverUrl.replace(/\/+$/, ''), Number(rounds)).catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
