/** Runs the project's commands as a user would, for tests of the CLIs. */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

/** The repository root. */
export const repoRoot = path.resolve(__dirname, '..', '..');
// node --import tsx, not the tsx binary: tsx runs the script in a child process, which a SIGKILL
// of tsx would leave running (and holding its port).
const nodeArgs = (script: string, args: string[]): string[] => ['--import', 'tsx', path.join(repoRoot, script), ...args];

/** What a finished command did. */
export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `script` (a path under server/src/cli) to completion. */
export function runCli(script: string, args: string[], env: Record<string, string>, cwd = repoRoot): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, nodeArgs(script, args), { cwd, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Starts `script` and resolves once its stdout contains `marker`. */
export function startCli(script: string, env: Record<string, string>, marker: string, timeoutMs = 20_000, args: string[] = []): Promise<{ child: ChildProcess; stdout: () => string; stderr: () => string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, nodeArgs(script, args), { cwd: repoRoot, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} did not print "${marker}" within ${timeoutMs} ms.\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    }, timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes(marker)) {
        clearTimeout(timer);
        resolve({ child, stdout: () => stdout, stderr: () => stderr });
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // 'close', not 'exit': by then everything the child wrote has been read.
    child.on('close', (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited with ${code} before printing "${marker}".\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    });
  });
}

/** Sends SIGTERM and resolves with the exit code. */
export function stopChild(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) {
      resolve(child.exitCode);
      return;
    }
    child.removeAllListeners('exit');
    child.once('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
}
