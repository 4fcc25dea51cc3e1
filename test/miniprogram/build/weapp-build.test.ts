// The WeChat DevTools project that `npm run build:weapp` produces: pages registered, project
// config present, and the main package within WeChat's 2 MB limit.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildOutput } from './mini-build';

/** WeChat refuses to upload a mini program whose main package is larger than this. */
const MAIN_PACKAGE_LIMIT_BYTES = 2 * 1024 * 1024;

const { dir } = buildOutput('weapp');

interface AppJson {
  pages: string[];
  subPackages?: { root: string; pages: string[] }[];
}

function readJson<T>(file: string): T {
  return JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as T;
}

function filesUnder(folder: string): string[] {
  return fs.readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(folder, entry.name);
    return entry.isDirectory() ? filesUnder(full) : [full];
  });
}

/** Bytes of the main package: everything in the build except the subpackages' folders. */
function mainPackageBytes(app: AppJson): number {
  const subRoots = (app.subPackages ?? []).map((sub) => path.join(dir, sub.root) + path.sep);
  return filesUnder(dir)
    .filter((file) => !subRoots.some((root) => file.startsWith(root)))
    .reduce((total, file) => total + fs.statSync(file).size, 0);
}

describe('weapp build', () => {
  it('lists the pay page in the main package and the share and QA pages as subpackages', () => {
    const app = readJson<AppJson>('app.json');
    expect(app.pages).toEqual(['pages/pay/index']);
    const all = [...app.pages, ...(app.subPackages ?? []).flatMap((sub) => sub.pages.map((page) => `${sub.root}/${page}`))];
    expect(all).toEqual(['pages/pay/index', 'pages/share/index', 'pages/dev/index']);
    for (const page of all) {
      for (const extension of ['js', 'json', 'wxml']) expect(fs.existsSync(path.join(dir, `${page}.${extension}`)), `${page}.${extension}`).toBe(true);
    }
  });

  it('is a project WeChat DevTools opens: project.config.json with an appid, domain check off in the sandbox', () => {
    const project = readJson<{ appid: string; miniprogramRoot: string; compileType: string; setting: { urlCheck: boolean } }>('project.config.json');
    expect(project.appid).toMatch(/^(touristappid|wx[0-9a-f]{16})$/);
    expect(project.miniprogramRoot).toBe('./');
    expect(project.compileType).toBe('miniprogram');
    expect(project.setting.urlCheck).toBe(false);
  });

  it('lets the friend and the shopper share: both pages enable onShareAppMessage', () => {
    for (const page of ['pages/pay/index.js', 'pages/share/index.js']) {
      expect(fs.readFileSync(path.join(dir, page), 'utf8')).toContain('enableShareAppMessage');
    }
  });

  it('keeps the main package under WeChat’s 2 MB limit', () => {
    const bytes = mainPackageBytes(readJson<AppJson>('app.json'));
    process.stdout.write(`weapp main package: ${bytes} bytes (${(bytes / 1024).toFixed(1)} KiB)\n`);
    expect(bytes).toBeLessThanOrEqual(MAIN_PACKAGE_LIMIT_BYTES);
  });
});
