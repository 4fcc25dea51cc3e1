/**
 * `npm start`: the sandbox server on embedded SQLite. Builds the mini program's H5 bundle first
 * when it is missing or older than its sources, makes a new demo order and link for the data
 * folder's demo shop (created on the first start, reused after) and prints where to look.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createDemo } from '../sandbox/qa/sandbox-routes';
import { runServer } from './run-server';
import { runCommand } from './command-line';

const repoRoot = path.resolve(__dirname, '..', '..', '..');
const miniprogramDir = path.join(repoRoot, 'miniprogram');
const h5Index = path.join(miniprogramDir, 'dist', 'h5', 'index.html');
/** What the H5 bundle was built with (the tests write the same file), so a production build is never reused. */
const h5Stamp = path.join(miniprogramDir, 'dist', '.build-h5.json');
/** The WeChat DevTools project folder, built by `npm run build:weapp`. */
const weappDir = path.join(miniprogramDir, 'dist', 'weapp');

function newestMtime(entry: string): number {
  if (!fs.existsSync(entry)) return 0;
  const stat = fs.statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return fs.readdirSync(entry).reduce((newest, name) => Math.max(newest, newestMtime(path.join(entry, name))), stat.mtimeMs);
}

/** A later build by hand (another mode or API origin) rewrites index.html, so its stamp stops matching. */
function stampFor(sandbox: boolean, indexMtime: number): string {
  return JSON.stringify({ sandbox, apiBaseUrl: '', markerMtime: indexMtime });
}

/** True when the H5 bundle is missing, built for the other mode, or older than a file under miniprogram/src or shared/. */
function isH5BundleStale(sandbox: boolean): boolean {
  if (!fs.existsSync(h5Index)) return true;
  if (!fs.existsSync(h5Stamp) || fs.readFileSync(h5Stamp, 'utf8') !== stampFor(sandbox, fs.statSync(h5Index).mtimeMs)) return true;
  const newestSource = Math.max(newestMtime(path.join(miniprogramDir, 'src')), newestMtime(path.join(repoRoot, 'shared')));
  return fs.statSync(h5Index).mtimeMs < newestSource;
}

/** Runs `taro build --type h5` for this server (same-origin API); resolves to false, with a message, if it fails. */
async function buildH5Bundle(sandbox: boolean): Promise<boolean> {
  process.stdout.write("building the mini program's H5 bundle (about 30 s)...\n");
  const started = Date.now();
  // The pages call the server that serves them; a stray API origin or NODE_ENV would point them elsewhere.
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => name !== 'FRIEND_PAY_API_BASE_URL' && name !== 'NODE_ENV'));
  env.FRIEND_PAY_SANDBOX = sandbox ? '1' : '0';
  const taro = path.join(repoRoot, 'node_modules', '.bin', 'taro');
  let output = '';
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(taro, ['build', '--type', 'h5'], { cwd: miniprogramDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', (error) => {
      output += error.message;
      resolve(null);
    });
    child.on('close', resolve);
  });
  if (code !== 0 || !fs.existsSync(h5Index)) {
    process.stderr.write(`friend-pay: building the H5 bundle failed (exit ${code}); the server runs without /app/.\n${output.slice(-3000)}\n`);
    return false;
  }
  fs.writeFileSync(h5Stamp, stampFor(sandbox, fs.statSync(h5Index).mtimeMs));
  process.stdout.write(`built the H5 bundle in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  return true;
}

/** `+25 h 3 min`: how far the sandbox clock runs ahead. */
function describeOffset(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  const hours = Math.floor(minutes / 60);
  return hours > 0 ? `+${hours} h ${minutes % 60} min` : `+${minutes} min`;
}

/** A path as the person who started the server types it: relative below the current folder, else absolute. */
function shown(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative === '' || relative.startsWith('..') || path.isAbsolute(relative) ? file : relative;
}

async function main(): Promise<void> {
  process.env.SANDBOX ??= '1';
  const sandbox = process.env.SANDBOX !== '0';
  // Before the server starts: it serves miniprogram/dist/h5 at /app/ only if the bundle exists then.
  const h5Ready = isH5BundleStale(sandbox) ? await buildH5Bundle(sandbox) : true;
  const server = await runServer(sandbox ? 'sandbox' : 'production');
  const base = server.deps.publicBaseUrl;

  if (server.qa === undefined) {
    process.stdout.write(`Friend Pay (production mode) listening on ${server.url}\n`);
    return;
  }
  // In process rather than over HTTP: no request log line lands in the middle of what is printed.
  const demo = await createDemo(server.deps, server.qa.demoShop);
  const demoShop = await server.qa.demoShop.get();
  const app = `${base}/app/#`;
  const weappBuilt = fs.existsSync(path.join(weappDir, 'app.json'));
  const offset = server.qa.restoredClockOffsetMs;
  const lines = [
    '',
    `Friend Pay sandbox listening on ${server.url}   (another port: PORT=3001 npm start)`,
    `API docs       ${base}/docs   (OpenAPI 3.1: ${base}/openapi.json)`,
    '',
    `Demo shop "${demo.shop.name}" (${demoShop.reused ? 'the same' : 'new'} for this data folder: its key is kept in ${shown(demoShop.file)} and shown on every start):`,
    `  shop id        ${demo.shop.id}`,
    `  api key        ${demo.shop.api_key}`,
    `  webhook secret ${demo.shop.webhook_secret}`,
    `  webhooks to    ${demoShop.record.webhookUrl ?? '(none)'}   (what arrived: the QA page, or GET ${base}/sandbox/webhooks)`,
    '',
    ...(offset > 0
      ? [
          `Sandbox clock: ${describeOffset(offset)} ahead of the wall clock, as it was moved before this start on this database`,
          `  (kept in ${shown(path.join(path.dirname(demoShop.file), 'sandbox-clock.json'))}, so it agrees with the rows written then; remove the data folder and the database to start afresh).`,
          '',
        ]
      : []),
    `New demo order ${demo.order.id}: ${demo.order.amount_total} fen, pay link ${demo.link.id} (${demo.link.mode}, expires ${demo.link.expires_at}).`,
    '  Every start and every POST /sandbox/demo makes a new order and link for the same demo shop.',
    `  link url       ${demo.link.url}`,
    `  token          ${demo.link.token}`,
    `  friend view    ${base}/v1/pay/${demo.link.token}`,
    `  landing page   ${demo.link.url}`,
    '',
    `Mini program in a browser (H5 build${h5Ready ? '' : ' FAILED to build: see above'}):`,
    `  pay page       ${app}/pages/pay/index?t=${demo.link.token}`,
    `  share page     ${app}/pages/share/index?s=${demo.link.shopper_token ?? ''}   (the shopper's own page)`,
    `  QA page        ${app}/pages/dev/index`,
    `WeChat DevTools: import the project folder ${shown(weappDir)} (${weappBuilt ? 'built' : 'not built yet: npm run build:weapp'}).`,
    `  It calls FRIEND_PAY_API_BASE_URL, set when building (default http://127.0.0.1:3000): FRIEND_PAY_API_BASE_URL=${server.url} npm run build:weapp`,
    `  Pay page with this link: add a compile mode, page pages/pay/index, launch query t=${demo.link.token}`,
    '  QA page: pages/dev/index (compile mode, or the button on the pay page opened without a link).',
    '',
    'Try:',
    `  curl ${base}/v1/pay/${demo.link.code}`,
    `  curl -H 'Authorization: Bearer ${demo.shop.api_key}' ${base}/v1/links/${demo.link.id}`,
    `  curl -H 'Authorization: Bearer ${demo.shop.api_key}' '${base}/v1/orders?status=pending'`,
    `  curl -X POST -H 'content-type: application/json' -d '{}' ${base}/sandbox/demo   # another order and link`,
    '',
    'Press Ctrl+C to stop.',
    '',
  ];
  // One write: log lines (stderr) can come before or after the banner, never inside it.
  process.stdout.write(lines.join('\n'));
}

runCommand(main);
