// Periodic jobs. In one process they are timers; with Redis the beat role enqueues them for the workers.
import type { AppContext } from '../context.ts';

export function startBeat(ctx: AppContext): () => Promise<void> {
  const timers: NodeJS.Timeout[] = [];
  const every = (seconds: number, fn: () => Promise<void>) => {
    const t = setInterval(() => {
      fn().catch((err) => ctx.log.error({ err }, 'periodic job failed'));
    }, seconds * 1000);
    t.unref();
    timers.push(t);
  };
  const { config } = ctx;
  if (config.PUBLIC_MODE) {
    every(config.beatPollInterval || 24 * 3600, () => ctx.jobs.enqueue('cleanup-public-data', {}, { jobId: 'cleanup-public-data' }));
  }
  if (config.HEALTHCHECK_URL) {
    const url = config.HEALTHCHECK_URL;
    every(600, async () => {
      await fetch(url, { signal: AbortSignal.timeout(10_000) });
    });
  }
  return async () => timers.forEach(clearInterval);
}
