/**
 * Builds the mini program for tests when its output is missing or older than its sources, the way
 * `npm start` does for H5. Sandbox builds only: the tests drive the sandbox pay sheet and QA page.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** The repository root. */
export const repoRoot = path.resolve(__dirname, '..', '..', '..');
const miniprogramDir = path.join(repoRoot, 'miniprogram');

/** A Taro build target. */
export type MiniTarget = 'weapp' | 'h5';

/** Where a target's build lands, and the file that marks it complete. */
export function buildOutput(target: MiniTarget): { dir: string; marker: string } {
  const dir = path.join(miniprogramDir, 'dist', target);
  return { dir, marker: path.join(dir, target === 'weapp' ? 'app.json' : 'index.html') };
}

/** What a build was made with, written next to it so a production build is never mistaken for ours. */
function stampPath(target: MiniTarget): string {
  return path.join(miniprogramDir, 'dist', `.build-${target}.json`);
}

/**
 * The stamp of a sandbox, same-origin build whose marker file has `markerMtime`: a later build by
 * hand (production, another API origin) rewrites the marker, so the stamp no longer matches.
 */
function stampFor(markerMtime: number): string {
  return JSON.stringify({ sandbox: true, apiBaseUrl: '', markerMtime });
}

function newestMtime(entry: string): number {
  if (!fs.existsSync(entry)) return 0;
  const stat = fs.statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return fs.readdirSync(entry).reduce((newest, name) => Math.max(newest, newestMtime(path.join(entry, name))), stat.mtimeMs);
}

/** True when the target's build is missing, made differently, or older than a source it is built from. */
export function isBuildStale(target: MiniTarget): boolean {
  const { marker } = buildOutput(target);
  if (!fs.existsSync(marker)) return true;
  const stamp = stampPath(target);
  if (!fs.existsSync(stamp) || fs.readFileSync(stamp, 'utf8') !== stampFor(fs.statSync(marker).mtimeMs)) return true;
  const sources = ['src', 'config', 'babel.config.js', 'project.config.json'].map((name) => path.join(miniprogramDir, name));
  sources.push(path.join(repoRoot, 'shared'));
  const newestSource = Math.max(...sources.map(newestMtime));
  return fs.statSync(marker).mtimeMs < newestSource;
}

/** Runs `taro build --type <target>` (sandbox, same-origin API) and stamps the result. */
export async function buildMini(target: MiniTarget): Promise<void> {
  const taro = path.join(repoRoot, 'node_modules', '.bin', 'taro');
  // Vitest sets NODE_ENV=test, which makes Taro's Babel preset target Node and skip minifying;
  // H5 pages call the server that serves them (no API origin); the tourist appid is enough.
  const dropped = new Set(['NODE_ENV', 'FRIEND_PAY_API_BASE_URL', 'WECHAT_APPID']);
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !dropped.has(name)));
  env.FRIEND_PAY_SANDBOX = '1';
  let output = '';
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(taro, ['build', '--type', target], { cwd: miniprogramDir, env: env as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', resolve);
  });
  if (code !== 0 || !fs.existsSync(buildOutput(target).marker)) {
    throw new Error(`taro build --type ${target} failed (exit ${code}):\n${output.slice(-4000)}`);
  }
  fs.writeFileSync(stampPath(target), stampFor(fs.statSync(buildOutput(target).marker).mtimeMs));
}

/** Builds `target` unless its build is current; returns how long that took (0 when nothing was built). */
export async function ensureMiniBuild(target: MiniTarget): Promise<number> {
  if (!isBuildStale(target)) return 0;
  const started = Date.now();
  process.stdout.write(`building the mini program (${target}) for the tests...\n`);
  await buildMini(target);
  return Date.now() - started;
}
