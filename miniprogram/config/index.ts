import path from 'node:path';
import { defineConfig, type UserConfigExport } from '@tarojs/cli';

/** The project's root `shared/` folder (plain TypeScript used by server and mini program). */
const sharedDir = path.resolve(__dirname, '..', '..', 'shared');

/** `FRIEND_PAY_SANDBOX`: anything but 0/false/no/off (case-insensitive) means true; unset means true. */
function envFlag(value: string | undefined, fallback: boolean): boolean {
  if (value === undefined || value.trim() === '') return fallback;
  return !['0', 'false', 'no', 'off'].includes(value.trim().toLowerCase());
}

// https://docs.taro.zone/docs/config
export default defineConfig<'webpack5'>((merge) => {
  const isH5 = process.env.TARO_ENV === 'h5';
  // '' = same origin as the H5 page; the mini program needs an absolute URL.
  const apiBaseUrl = process.env.FRIEND_PAY_API_BASE_URL ?? (isH5 ? '' : 'http://127.0.0.1:3000');
  const sandbox = envFlag(process.env.FRIEND_PAY_SANDBOX, true);
  // WeChat DevTools opens dist/weapp under this appid; Taro's project-config step reads TARO_APP_ID.
  const appid = process.env.WECHAT_APPID?.trim();
  if (appid !== undefined && appid !== '') process.env.TARO_APP_ID = appid;

  const baseConfig: UserConfigExport<'webpack5'> = {
    projectName: 'friend-pay',
    date: '2026-11-21',
    designWidth: 750,
    deviceRatio: {
      640: 2.34 / 2,
      750: 1,
      375: 2,
      828: 1.81 / 2,
    },
    sourceRoot: 'src',
    // Sandbox builds talk to a local server over plain HTTP, so DevTools' domain check is off;
    // production builds keep it on (WeChat enforces it on phones anyway).
    projectConfigName: sandbox ? 'project.config.json' : 'project.production.config.json',
    outputRoot: `dist/${process.env.TARO_ENV}`,
    plugins: [],
    defineConstants: {
      API_BASE_URL: JSON.stringify(apiBaseUrl),
      SANDBOX: JSON.stringify(sandbox),
    },
    alias: {
      '@shared': sharedDir,
    },
    copy: {
      patterns: [],
      options: {},
    },
    framework: 'react',
    compiler: 'webpack5',
    cache: {
      enable: false,
    },
    logger: {
      quiet: false,
      stats: false,
    },
    mini: {
      compile: {
        include: [sharedDir],
      },
      postcss: {
        pxtransform: {
          enable: true,
          config: {},
        },
        cssModules: {
          enable: false,
        },
      },
    },
    h5: {
      // The server serves this build under /app/; router stays in hash mode (/app/#/pages/...).
      publicPath: '/app/',
      useHtmlComponents: true,
      staticDirectory: 'static',
      router: {
        mode: 'hash',
      },
      compile: {
        include: [sharedDir],
      },
      output: {
        filename: 'js/[name].[contenthash:8].js',
        chunkFilename: 'js/[name].[contenthash:8].js',
      },
      miniCssExtractPluginOption: {
        ignoreOrder: true,
        filename: 'css/[name].[contenthash:8].css',
        chunkFilename: 'css/[name].[contenthash:8].css',
      },
      webpackChain(chain) {
        // A React app's entry is ~300 KB; webpack's 244 KB hint is noise here.
        chain.performance.hints(false);
      },
      postcss: {
        autoprefixer: {
          enable: true,
          config: {},
        },
        cssModules: {
          enable: false,
        },
      },
    },
  };

  return merge({}, baseConfig);
});
