/**
 * A browser test's world: a real sandbox server started in-process (port 0, in-memory SQLite)
 * serving the H5 build at /app/, and Chromium pages at 375x667 that record every console error.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, ConsoleMessage, Page } from 'playwright-core';
import type { DemoResponse } from '../../../shared/api-types';
import type { LinkMode } from '../../../shared/states';
import { startTestServer, type TestServer } from '../../support/test-server';
import { buildOutput } from '../../miniprogram/build/mini-build';
import { launchChromium } from './chromium';

/** Where screenshots land (PNG files are gitignored). */
export const SCREENSHOT_DIR = path.resolve(__dirname, '..', 'screenshots');

/** An HTTP error status the test expects the page to meet, on API paths matching `path`. */
export interface ExpectedHttpError {
  status: number;
  path: RegExp;
}

/** A Chromium page (in its own context: own storage, own cookies, cold cache) that watches the console. */
export interface WatchedPage {
  page: Page;
  context: BrowserContext;
  /** Console errors and uncaught exceptions so far. */
  errors: string[];
  /** Lets the browser's own "Failed to load resource: ... status of N" line for an expected API answer pass. */
  expectHttpError: (expected: ExpectedHttpError) => void;
  /** Saves `test/e2e/screenshots/<name>.png`. A function property: tests take it out of the object. */
  screenshot: (name: string) => Promise<void>;
}

/** Everything a browser test uses. */
export interface BrowserWorld {
  server: TestServer;
  browser: Browser;
  /** `{server}/app/#/pages/...` */
  appUrl(pagePath: string): string;
  /**
   * A new page as a new person (fresh context).
   * @default locale zh-CN, a 375x667 phone viewport, Chromium's own User-Agent
   */
  newPage(options?: { locale?: string; viewport?: { width: number; height: number }; userAgent?: string }): Promise<WatchedPage>;
  /** `POST /sandbox/demo`. */
  createDemo(mode?: LinkMode): Promise<DemoResponse>;
  /** Closes this test's pages; throws if any of them logged a console error. */
  endTest(): Promise<void>;
  close(): Promise<void>;
}

function statusOf(message: ConsoleMessage): number | undefined {
  const match = /status of (\d{3})/.exec(message.text());
  return match === null ? undefined : Number(match[1]);
}

/** Starts the server and Chromium. */
export async function startBrowserWorld(): Promise<BrowserWorld> {
  const server = await startTestServer({}, { h5Dir: buildOutput('h5').dir });
  let browser: Browser;
  try {
    browser = await launchChromium();
  } catch (error: unknown) {
    await server.stop();
    throw error;
  }
  const pages: WatchedPage[] = [];
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });

  return {
    server,
    browser,
    appUrl: (pagePath) => `${server.url}/app/#${pagePath}`,
    async newPage(options = {}) {
      const context = await browser.newContext({
        viewport: options.viewport ?? { width: 375, height: 667 },
        deviceScaleFactor: 2,
        locale: options.locale ?? 'zh-CN',
        ...(options.userAgent === undefined ? {} : { userAgent: options.userAgent }),
      });
      const page = await context.newPage();
      const errors: string[] = [];
      const expected: ExpectedHttpError[] = [];
      page.on('console', (message) => {
        if (message.type() !== 'error') return;
        // Chromium reports every 4xx it receives as a console error; an answer the test asked for
        // (a bad link's 400, a busy link's 409) is the page working, not failing.
        const status = statusOf(message);
        const url = new URL(message.location().url || 'about:blank', server.url);
        if (status !== undefined && expected.some((allowed) => allowed.status === status && allowed.path.test(url.pathname))) return;
        errors.push(`console.error: ${message.text()} (${message.location().url})`);
      });
      page.on('pageerror', (error) => errors.push(`uncaught: ${error.message}`));
      const watched: WatchedPage = {
        page,
        context,
        errors,
        expectHttpError: (allowed) => expected.push(allowed),
        async screenshot(name) {
          // Taro's H5 pages scroll inside .taro_page, not the document: to see all of a page,
          // make the viewport as tall as that content for the shot, then put it back.
          const viewport = page.viewportSize() ?? { width: 375, height: 667 };
          const contentHeight = await page.evaluate(() => Math.max(0, ...Array.from(document.querySelectorAll('.taro_page_show, .taro_page')).map((element) => element.scrollHeight)));
          if (contentHeight > viewport.height) await page.setViewportSize({ width: viewport.width, height: Math.min(contentHeight, 6000) });
          try {
            await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
          } finally {
            if (contentHeight > viewport.height) await page.setViewportSize(viewport);
          }
        },
      };
      pages.push(watched);
      return watched;
    },
    async createDemo(mode = 'single') {
      const answer = await server.call<DemoResponse>('POST', '/sandbox/demo', { body: { mode } });
      if (answer.status !== 201) throw new Error(`POST /sandbox/demo: ${answer.status} ${answer.text}`);
      return answer.json;
    },
    async endTest() {
      const ended = pages.splice(0);
      const errors = ended.flatMap((watched) => watched.errors);
      await Promise.all(ended.map((watched) => watched.context.close()));
      if (errors.length > 0) throw new Error(`the pages logged console errors:\n${errors.join('\n')}`);
    },
    async close() {
      await browser.close();
      await server.stop();
    },
  };
}
