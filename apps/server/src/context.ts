// Everything a role needs, chosen from the configuration: database, storage, jobs and event fan-out.
// Embedded parts when nothing is configured; PostgreSQL, S3 and Redis when they are.
import pino, { type Logger } from 'pino';
import type { Config } from './config.ts';
import { openDatabase, type Database } from './db/index.ts';
import { MemoryEventBus, type EventBus } from './events/bus.ts';
import { InProcessJobQueue } from './jobs/inprocess.ts';
import type { JobQueue } from './jobs/queue.ts';
import { createStorage, type Storage } from './storage/index.ts';

export interface AppContext {
  config: Config;
  log: Logger;
  database: Database;
  storage: Storage;
  jobs: JobQueue;
  events: EventBus;
  close(): Promise<void>;
}

export interface ContextOptions {
  /** Apply pending migrations (server, all, migrate roles). */
  migrate?: boolean;
  log?: Logger;
}

export async function createContext(config: Config, opts: ContextOptions = {}): Promise<AppContext> {
  const log = opts.log ?? pino({ level: config.LOG_LEVEL, base: { pid: process.pid } });
  const database = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.dataDir, migrate: opts.migrate });
  const storage = await createStorage(config);
  let jobs: JobQueue;
  let events: EventBus;
  if (config.redisUrl) {
    const { BullJobQueue } = await import('./jobs/bullmq.ts');
    const { RedisEventBus } = await import('./events/redis.ts');
    jobs = new BullJobQueue(config.redisUrl, log);
    events = new RedisEventBus(config.redisUrl, log);
  } else {
    jobs = new InProcessJobQueue(log);
    events = new MemoryEventBus();
  }
  return {
    config,
    log,
    database,
    storage,
    jobs,
    events,
    async close() {
      await jobs.close();
      await events.close();
      await storage.close?.();
      await database.close();
    },
  };
}
