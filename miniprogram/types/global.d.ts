/// <reference types="@tarojs/taro" />

declare module '*.png';
declare module '*.gif';
declare module '*.jpg';
declare module '*.jpeg';
declare module '*.svg';
declare module '*.css';

/** API origin, fixed at build time from FRIEND_PAY_API_BASE_URL ('' = same origin, H5 only). */
declare const API_BASE_URL: string;
/** True unless built with FRIEND_PAY_SANDBOX=0/false: payments go to the WeChat Pay sandbox. */
declare const SANDBOX: boolean;

declare namespace NodeJS {
  interface ProcessEnv {
    NODE_ENV: 'development' | 'production';
    TARO_ENV: 'weapp' | 'h5';
    TARO_APP_ID: string;
  }
}
