// Everything a role needs, chosen from the configuration: database, storage, jobs and event fan-out.
// Embedded parts when nothing is configured; PostgreSQL, S3 and Redis when they are.
import type { Redis } from 'ioredis';
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
  /** A general-purpose Redis connection when Redis is configured (shared counters such as login limits). */
  redis?: Redis;
  close(): Promise<void>;
}

export interface ContextOptions {
  /** Apply pending migrations (server, all, migrate roles). */
  migrate?: boolean;
  log?: Logger;
  /** Embedded database in memory only (one-shot commands such as `reflector process`). */
  inMemoryDatabase?: boolean;
}

export async function createContext(config: Config, opts: ContextOptions = {}): Promise<AppContext> {
  const log = opts.log ?? pino({ level: config.LOG_LEVEL, base: { pid: process.pid } });
  const database = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.dataDir, migrate: opts.migrate, inMemory: opts.inMemoryDatabase });
  const storage = await createStorage(config);
  let jobs: JobQueue;
  let events: EventBus;
  let redis: Redis | undefined;
  if (config.redisUrl) {
    const { Redis: RedisClient } = await import('ioredis');
    redis = new RedisClient(config.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 3 });
    redis.on('error', (err) => log.warn({ err: err.message }, 'redis connection error'));
    const { BullJobQueue } = await import('./jobs/bullmq.ts');
    const { RedisEventBus } = await import('./events/redis.ts');
    jobs = new BullJobQueue(config.redisUrl, log, {
      prefix: config.REDIS_PREFIX,
      lockDurationMs: config.JOB_LOCK_DURATION_MS,
      stalledIntervalMs: config.JOB_STALLED_INTERVAL_MS,
    });
    events = new RedisEventBus(config.redisUrl, log, config.REDIS_PREFIX);
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
    redis,
    async close() {
      await jobs.close();
      await events.close();
      redis?.disconnect();
      await storage.close?.();
      await database.close();
    },
  };
}
