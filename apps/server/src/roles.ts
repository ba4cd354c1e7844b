// Starting and stopping the roles of the `reflector` program. `all` runs server, worker and beat in one
// process; the separate roles run the same code on real infrastructure.
import type { Config } from './config.ts';
import { createContext, type AppContext } from './context.ts';
import { jobHandlers, resumeInterruptedTranscripts } from './jobs/handlers.ts';
import { provisionAdmin } from './auth/provision.ts';
import { startBeat } from './jobs/beat.ts';

export type RoleName = 'all' | 'server' | 'worker' | 'beat' | 'migrate';

export interface RunningPlatform {
  ctx: AppContext;
  /** Base URL when the role serves HTTP. */
  url?: string;
  stop(): Promise<void>;
}

export async function startRole(name: Exclude<RoleName, 'migrate'>, config: Config): Promise<RunningPlatform> {
  const serves = name === 'all' || name === 'server';
  const works = name === 'all' || name === 'worker';
  const ctx = await createContext(config, { migrate: serves });
  const stops: Array<() => Promise<void>> = [];
  let url: string | undefined;
  try {
    if (works) {
      await ctx.jobs.startWorker(jobHandlers(ctx), { concurrency: config.JOB_CONCURRENCY });
    }
    if (name === 'all' || name === 'beat') {
      stops.push(startBeat(ctx));
    }
    if (serves) {
      await provisionAdmin(ctx);
      const { buildApp } = await import('./app.ts');
      const app = await buildApp(ctx);
      const address = await app.listen({ port: config.PORT, host: config.HOST });
      url = address.replace('[::]', 'localhost').replace('0.0.0.0', 'localhost');
      stops.unshift(() => app.close());
      ctx.log.info({ url, role: name, database: ctx.database.kind, storage: ctx.storage.kind, jobs: ctx.jobs.kind }, 'reflector listening');
    }
    if (serves || works) await resumeInterruptedTranscripts(ctx);
  } catch (err) {
    await ctx.close().catch(() => {});
    throw err;
  }
  return {
    ctx,
    url,
    async stop() {
      for (const stop of stops) await stop().catch((err) => ctx.log.error({ err }, 'stop failed'));
      await ctx.close();
    },
  };
}

export async function runRole(name: RoleName, config: Config): Promise<number | void> {
  if (name === 'migrate') {
    const { openDatabase } = await import('./db/index.ts');
    const { migrate } = await import('./db/migrate.ts');
    const database = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.dataDir });
    try {
      const applied = await migrate(database);
      process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'database is up to date\n');
    } finally {
      await database.close();
    }
    return 0;
  }
  const platform = await startRole(name, config);
  await new Promise<void>((resolve) => {
    let stopping = false;
    const onSignal = (signal: string) => {
      if (stopping) return;
      stopping = true;
      platform.ctx.log.info({ signal }, 'shutting down');
      platform.stop().finally(resolve);
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
}
