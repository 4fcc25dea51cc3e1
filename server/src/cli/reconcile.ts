/**
 * `npm run reconcile -- --date YYYY-MM-DD [--mchid ID] [--json]`: reconciles one day's WeChat Pay
 * trade bill with our payments and refunds, applies what is safe, and prints one line per
 * difference (or, with `--json`, the report as JSON on stdout). Progress goes to stderr.
 * Exit 0 when the day matches or every difference was applied, 1 otherwise (or on failure).
 * Production configuration as `npm run serve`; `SANDBOX=1` reconciles against a running sandbox.
 */
import { parseArgs } from 'node:util';
import { CommandSetupError, createCommandDeps, type CommandDeps } from '../composition/command-deps';
import { ConfigError, loadConfig, type Config } from '../config/config';
import { BillReconciliationError, reconcileBill, recordFailedRun } from '../payments/bill-reconciliation';
import { billReportJson, billReportLines } from '../payments/bill-report';
import { WechatPayError, isBillNotReadyCode } from '../wechat/errors';
import { runCommand } from './command-line';

const usage = 'usage: npm run reconcile -- --date YYYY-MM-DD [--mchid ID] [--json]   (SANDBOX=1 for the sandbox)';

function fail(message: string, json: boolean, billDate?: string): never {
  if (json) process.stdout.write(`${JSON.stringify({ bill_date: billDate ?? null, ok: false, error: message })}\n`);
  process.stderr.write(`reconcile: ${message}\n`);
  process.exit(1);
}

/** What a failure means to the person who ran the command. */
function explain(error: unknown, billDate: string): string {
  if (error instanceof WechatPayError) {
    if (isBillNotReadyCode(error.code)) return `WeChat Pay has no bill for ${billDate} (${error.code}): it makes a day's bill after 10:00 China time of the next day, and none for a day without payments or refunds`;
    if (error.code === 'BILL_HASH_MISMATCH') return `the bill downloaded for ${billDate} does not match the SHA1 WeChat Pay gave for it; nothing was compared or applied, run again`;
    return `WeChat Pay: ${error.code}: ${error.message}`;
  }
  return error instanceof Error ? error.message : String(error);
}

async function main(): Promise<void> {
  let values: { date?: string | undefined; mchid?: string | undefined; json?: boolean | undefined };
  try {
    ({ values } = parseArgs({ options: { date: { type: 'string' }, mchid: { type: 'string' }, json: { type: 'boolean' } }, strict: true }));
  } catch (error: unknown) {
    process.stderr.write(`reconcile: ${error instanceof Error ? error.message : String(error)}\n${usage}\n`);
    process.exit(1);
  }
  const json = values.json === true;
  const billDate = values.date;
  if (billDate === undefined || !/^\d{4}-\d{2}-\d{2}$/.test(billDate)) fail(`--date YYYY-MM-DD is required\n${usage}`, json);

  let config: Config;
  try {
    config = loadConfig(process.env, process.env.SANDBOX?.trim() === '1' ? 'sandbox' : 'production');
  } catch (error: unknown) {
    if (error instanceof ConfigError) fail(error.message, json, billDate);
    throw error;
  }
  let command: CommandDeps;
  try {
    command = await createCommandDeps(config);
  } catch (error: unknown) {
    if (error instanceof CommandSetupError || error instanceof ConfigError) fail(error.message, json, billDate);
    throw error;
  }

  const { deps } = command;
  const startedAt = deps.clock.now();
  try {
    const report = await reconcileBill(deps, { billDate, mchId: values.mchid, onProgress: (message) => process.stderr.write(`reconcile: ${message}\n`) });
    process.stdout.write(json ? `${JSON.stringify(billReportJson(report), null, 2)}\n` : `${billReportLines(report).join('\n')}\n`);
    await command.close();
    process.exit(report.unapplied === 0 ? 0 : 1);
  } catch (error: unknown) {
    const message = explain(error, billDate);
    if (!(error instanceof BillReconciliationError)) await recordFailedRun(deps, billDate, values.mchid, message, startedAt).catch(() => undefined);
    await command.close();
    fail(message, json, billDate);
  }
}

runCommand(main);
