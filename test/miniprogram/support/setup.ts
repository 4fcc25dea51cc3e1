// jsdom setup for the mini program's page tests: Taro's build-time constants, and a clean
// Taro double and DOM after every test.
import { cleanup } from '@testing-library/react';
import { afterEach, beforeEach } from 'vitest';
import { taro } from './taro-double';

const globals = globalThis as unknown as { API_BASE_URL: string; SANDBOX: boolean };

// @tarojs/components-react's Button hands `openType` on to a <div>, and React warns about the
// unknown DOM prop on every share button. The library's quirk, harmless; it would bury real warnings.
const consoleError = console.error.bind(console);
console.error = (...args: unknown[]): void => {
  if (typeof args[0] === 'string' && args[0].includes('React does not recognize the') && args[1] === 'openType') return;
  consoleError(...args);
};

beforeEach(() => {
  // Not `define`d in vitest.config.mts on purpose: a test may flip SANDBOX to cover production builds.
  globals.API_BASE_URL = 'https://api.test';
  globals.SANDBOX = true;
});

afterEach(() => {
  cleanup();
  taro.reset();
});
