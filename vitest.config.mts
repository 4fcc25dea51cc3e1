import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { configDefaults, defineConfig } from 'vitest/config';

const root = path.dirname(fileURLToPath(import.meta.url));
const fromRoot = (...parts: string[]): string => path.join(root, ...parts);

export default defineConfig({
  test: {
    reporters: ['default', './test/setup/summary-reporter.ts'],
    projects: [
      {
        // Unit, HTTP integration and CLI tests: Node, real servers on port 0, no network.
        // `@shared`: a server test may read the mini program's messages (one glossary for both).
        resolve: { alias: [{ find: /^@shared\/(.*)$/, replacement: `${fromRoot('shared')}/$1` }] },
        test: {
          name: 'server',
          include: ['test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, 'test/miniprogram/**', 'test/e2e/**'],
          setupFiles: ['test/setup/block-network.ts'],
          testTimeout: 20_000,
          hookTimeout: 30_000,
          pool: 'forks',
        },
      },
      {
        // Mini program pages rendered in jsdom with Taro's React components and a Taro API double.
        resolve: {
          // Exact-match regexes: '@tarojs/components' must not also catch '@tarojs/components/lib/react'.
          alias: [
            { find: /^@tarojs\/taro$/, replacement: fromRoot('test/miniprogram/support/taro-double.ts') },
            { find: /^@tarojs\/components$/, replacement: fromRoot('node_modules/@tarojs/components-react/dist/index.js') },
            { find: /^@shared\/(.*)$/, replacement: `${fromRoot('shared')}/$1` },
          ],
        },
        define: {
          // Taro's compile-time globals, as the H5 build defines them.
          'process.env.TARO_ENV': JSON.stringify('h5'),
          'process.env.TARO_PLATFORM': JSON.stringify('web'),
          ENABLE_INNER_HTML: 'true',
          ENABLE_ADJACENT_HTML: 'true',
          ENABLE_SIZE_APIS: 'true',
          ENABLE_TEMPLATE_CONTENT: 'true',
          ENABLE_CLONE_NODE: 'true',
          ENABLE_CONTAINS: 'true',
          ENABLE_MUTATION_OBSERVER: 'true',
          DEPRECATED_ADAPTER_COMPONENT: 'false',
        },
        test: {
          name: 'miniprogram',
          include: ['test/miniprogram/**/*.test.{ts,tsx}'],
          exclude: [...configDefaults.exclude, 'test/miniprogram/build/**'],
          environment: 'jsdom',
          setupFiles: ['test/setup/block-network.ts', 'test/miniprogram/support/setup.ts'],
          css: false,
          testTimeout: 20_000,
          hookTimeout: 30_000,
          pool: 'forks',
        },
      },
      {
        // The WeChat DevTools build: app.json, project.config.json, package size.
        test: {
          name: 'weapp-build',
          include: ['test/miniprogram/build/**/*.test.ts'],
          globalSetup: ['test/miniprogram/build/weapp-global-setup.ts'],
          testTimeout: 20_000,
          hookTimeout: 30_000,
          pool: 'forks',
        },
      },
      {
        // Browser tests: Debian Chromium driving the H5 build against an in-process sandbox server.
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.e2e.test.ts'],
          globalSetup: ['test/e2e/support/global-setup.ts'],
          setupFiles: ['test/setup/block-network.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          pool: 'forks',
          // One browser at a time, and only after every other project has finished: on a 2-core
          // machine Chromium beside the timing-sensitive server tests (crash harness) makes both flaky.
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
