/** Runs a background task every so often; a failing round is logged and the next one tries again. */
import type pino from 'pino';

/** A running loop. */
export interface Loop {
  stop(): Promise<void>;
}

/** Calls `work` every `intervalMs`, never two rounds at once. */
export function startLoop(name: string, intervalMs: number, work: () => Promise<unknown>, logger: pino.Logger): Loop {
  let running: Promise<unknown> | undefined;
  const timer = setInterval(() => {
    if (running !== undefined) return; // the previous round is still going
    running = work()
      .catch((error: unknown) => logger.error({ err: error, loop: name }, `${name} failed; will retry`))
      .finally(() => {
        running = undefined;
      });
  }, intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
