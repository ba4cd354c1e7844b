// Periodic jobs. The beat role (or `reflector all`) keeps the schedule and enqueues the jobs; workers run
// them. Run one beat process per deployment; a second one does no harm, because a job id that is still
// waiting or running is not queued twice.
//
// Schedule (as in the reference product):
//  - cleanup-public-data: daily at 03:00 UTC, only with PUBLIC_MODE.
//  - healthcheck ping: every 10 minutes, only with HEALTHCHECK_URL.
// BEAT_POLL_INTERVAL (alias CELERY_BEAT_POLL_INTERVAL), in seconds, overrides the interval of the
// *polling* jobs (calendar sync, recording discovery, meeting reconciliation) through pollInterval();
// 0 or unset keeps each job's own default. Daily jobs and the health ping keep their fixed schedule.
import type { Config } from '../config.ts';
import type { AppContext } from '../context.ts';

const DAY_MS = 24 * 3600 * 1000;

/** The next time, strictly after `now`, that the UTC clock shows `hour`:`minute`. */
export function nextDailyRun(now: Date, hour: number, minute = 0): Date {
  const next = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), hour, minute));
  if (next.getTime() <= now.getTime()) next.setTime(next.getTime() + DAY_MS);
  return next;
}

/** Interval in seconds of a polling job whose own default is `defaultSeconds`. */
export function pollInterval(config: Pick<Config, 'beatPollInterval'>, defaultSeconds: number): number {
  return config.beatPollInterval > 0 ? config.beatPollInterval : defaultSeconds;
}

export function startBeat(ctx: Pick<AppContext, 'config' | 'jobs' | 'log'>): () => Promise<void> {
  const timers = new Set<NodeJS.Timeout>();
  let stopped = false;
  const run = (what: string, fn: () => Promise<void>) => {
    fn().catch((err) => ctx.log.error({ err, job: what }, 'periodic job failed'));
  };
  const every = (what: string, seconds: number, fn: () => Promise<void>) => {
    const t = setInterval(() => run(what, fn), seconds * 1000);
    t.unref();
    timers.add(t);
  };
  const dailyAt = (what: string, hour: number, fn: () => Promise<void>) => {
    const schedule = () => {
      if (stopped) return;
      // Re-aimed every day, so the run stays at the wall-clock hour however long the process lives.
      const t = setTimeout(() => {
        timers.delete(t);
        run(what, fn);
        schedule();
      }, nextDailyRun(new Date(), hour).getTime() - Date.now());
      t.unref();
      timers.add(t);
    };
    schedule();
  };

  const { config } = ctx;
  if (config.PUBLIC_MODE) {
    dailyAt('cleanup-public-data', 3, () => ctx.jobs.enqueue('cleanup-public-data', {}, { jobId: 'cleanup-public-data', attempts: 3 }));
  }
  if (config.HEALTHCHECK_URL) {
    const url = config.HEALTHCHECK_URL;
    every('healthcheck-ping', 600, async () => {
      await fetch(url, { signal: AbortSignal.timeout(10_000) });
    });
  }
  return async () => {
    stopped = true;
    for (const t of timers) clearTimeout(t);
    timers.clear();
  };
}
