/**
 * What the shop admin commands share: one way to fail (the command's name, the message, its usage,
 * exit 1), strict option parsing, the store they write to, migrated and closed, and the last-resort
 * handler that turns an unexpected error into one line instead of a stack trace.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ConfigError, loadStoreConfig, type DatabaseConfig } from '../config/config';
import { openStore } from '../store/open-store';
import type { Store } from '../store/store';

export interface CommandLine {
  fail: (message: string) => never;
  /** The message of anything thrown, through `fail`. */
  failWith: (error: unknown) => never;
}

export function commandLine(name: string, usage: string): CommandLine {
  const fail = (message: string): never => {
    process.stderr.write(`${name}: ${message}\n${usage}\n`);
    process.exit(1);
  };
  return { fail, failWith: (error) => fail(error instanceof Error ? error.message : String(error)) };
}

/** `parseArgs` strict, its errors (unknown or misspelt options) through `fail`. */
export function parseOptions<O extends NonNullable<ParseArgsConfig['options']>>(command: CommandLine, options: O): ReturnType<typeof parseArgs<{ options: O; strict: true }>>['values'] {
  try {
    return parseArgs({ options, strict: true }).values;
  } catch (error: unknown) {
    return command.failWith(error);
  }
}

/** DATABASE_URL as configured; a configuration error through `fail`. */
export function databaseOf(command: CommandLine, env: NodeJS.ProcessEnv): DatabaseConfig {
  try {
    return loadStoreConfig(env).database;
  } catch (error: unknown) {
    if (error instanceof ConfigError) command.fail(error.message);
    throw error;
  }
}

/** Runs `work` on the migrated store, closed afterwards; a failure of the work through `fail`. */
export async function withStore<T>(command: CommandLine, database: DatabaseConfig, work: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(database);
  try {
    await store.migrate();
    return await work(store);
  } catch (error: unknown) {
    return command.failWith(error);
  } finally {
    await store.close();
  }
}

/** Runs a command's `main`: an error nothing else caught is one line on stderr and exit 1. */
export function runCommand(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    process.stderr.write(`friend-pay: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
