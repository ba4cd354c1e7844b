// Starts the platform for API tests in one of two configurations, chosen by TEST_MODE:
//  - embedded: PGlite and local files under a temporary DATA_DIR, in-process jobs and events;
//  - distributed: a fresh PostgreSQL database, an S3-protocol server (s3rver), Redis, and two separate
//    worker processes consuming the BullMQ queue.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { loadConfig } from '../../src/config.ts';
import { startRole, type RunningPlatform } from '../../src/roles.ts';

export const TEST_MODE = (process.env.TEST_MODE ?? 'embedded') as 'embedded' | 'distributed';
export const ADMIN_PG_URL = process.env.TEST_PG_URL ?? 'postgresql://reflector_test:reflector_test@127.0.0.1:5432/postgres';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/0';
const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/reflector.js');

export interface TestPlatform extends RunningPlatform {
  url: string;
  env: Record<string, string>;
  workers: ChildProcess[];
  /** Starts another worker process (distributed mode). */
  spawnWorker(): Promise<ChildProcess>;
}

export interface StartOptions {
  env?: Record<string, string>;
  /** Number of separate worker processes in distributed mode (default 2). */
  workers?: number;
}

export async function startTestPlatform(opts: StartOptions = {}): Promise<TestPlatform> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'reflector-test-'));
  const cleanups: Array<() => Promise<void>> = [async () => rm(dataDir, { recursive: true, force: true })];
  const env: Record<string, string> = {
    DATA_DIR: dataDir,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    SECRET_KEY: 'test-secret',
    ...opts.env,
  };
  const workers: ChildProcess[] = [];
  if (TEST_MODE === 'distributed') {
    const dbName = `reflector_test_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: ADMIN_PG_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${dbName}`);
    await admin.end();
    cleanups.push(async () => {
      const c = new pg.Client({ connectionString: ADMIN_PG_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
      await c.end();
    });
    const { startS3Server } = await import('../support/s3.ts');
    const s3 = await startS3Server(path.join(dataDir, 's3'));
    cleanups.push(() => s3.close());
    const prefix = `t${randomBytes(5).toString('hex')}`;
    cleanups.push(async () => {
      // Queue keys of this run only; pub/sub leaves nothing behind.
      const { Redis } = await import('ioredis');
      const redis = new Redis(TEST_REDIS_URL);
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
        if (keys.length) await redis.del(...keys);
        cursor = next;
      } while (cursor !== '0');
      redis.disconnect();
    });
    Object.assign(env, {
      DATABASE_URL: ADMIN_PG_URL.replace(/\/[^/]*$/, `/${dbName}`),
      REDIS_URL: TEST_REDIS_URL,
      REDIS_PREFIX: prefix,
      TRANSCRIPT_STORAGE_BACKEND: 'aws',
      TRANSCRIPT_STORAGE_AWS_ENDPOINT_URL: s3.endpoint,
      TRANSCRIPT_STORAGE_AWS_BUCKET_NAME: s3.bucket,
      TRANSCRIPT_STORAGE_AWS_ACCESS_KEY_ID: s3.accessKeyId,
      TRANSCRIPT_STORAGE_AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
      ...opts.env,
    });
  }
  const config = loadConfig(env);
  const platform = await startRole(TEST_MODE === 'distributed' ? 'server' : 'all', config);
  env.BASE_URL = platform.url!;

  const spawnWorker = async () => {
    const child = spawn(process.execPath, [BIN, 'worker'], {
      env: { ...process.env, ...env, PORT: '0', LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn' },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    workers.push(child);
    return child;
  };
  if (TEST_MODE === 'distributed') {
    for (let i = 0; i < (opts.workers ?? 2); i++) await spawnWorker();
  }
  return {
    ...platform,
    url: platform.url!,
    env,
    workers,
    spawnWorker,
    async stop() {
      for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGTERM');
      await Promise.all(workers.map((w) => (w.exitCode !== null || w.signalCode !== null ? null : new Promise((r) => w.once('exit', r)))));
      await platform.stop();
      for (const c of cleanups.reverse()) await c().catch(() => {});
    },
  };
}

/** JSON request helper: returns status, parsed body and headers. */
export async function api(base: string, method: string, p: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(base + p, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: any = undefined;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {}
  return { status: res.status, body: json, text, headers: res.headers };
}

/** Polls `fn` until it returns a truthy value or the timeout passes. */
export async function waitFor<T>(fn: () => Promise<T | undefined | null | false>, timeoutMs = 30_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
