// The BullMQ job queue against the real Redis: retries with backoff, one run per job id, pending state,
// and handing running jobs back on a graceful stop.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { BullJobQueue } from '../../src/jobs/bullmq.ts';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/0';
const quiet = { info: () => {}, warn: () => {}, error: () => {} };
const queues: BullJobQueue[] = [];

function queue(prefix: string, opts: { backoffMs?: number } = {}): BullJobQueue {
  const q = new BullJobQueue(REDIS_URL, quiet, { prefix, backoffMs: opts.backoffMs ?? 200, lockDurationMs: 5000, stalledIntervalMs: 2000 });
  queues.push(q);
  return q;
}

const prefixes: string[] = [];
const newPrefix = () => {
  const p = `t${randomBytes(5).toString('hex')}`;
  prefixes.push(p);
  return p;
};

async function removeKeys(prefix: string): Promise<void> {
  const r = new Redis(REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      if (keys.length) await r.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    r.disconnect();
  }
}

async function until(fn: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

afterEach(async () => {
  // Remove the test's keys from the shared Redis, then stop.
  await Promise.all(
    queues.splice(0).map(async (q) => {
      await q.close();
    }),
  );
  for (const prefix of prefixes.splice(0)) await removeKeys(prefix);
});

describe('BullJobQueue', () => {
  it('retries a failing job with exponential backoff until it succeeds', async () => {
    const q = queue(newPrefix(), { backoffMs: 200 });
    const calls: Array<{ attempt: number; at: number }> = [];
    await q.startWorker({
      'process-transcript': async (_data, job) => {
        calls.push({ attempt: job.attempt, at: Date.now() });
        if (job.attempt < 3) throw new Error(`transient failure ${job.attempt}`);
      },
    });
    await q.enqueue('process-transcript', { transcriptId: 'r1' }, { jobId: 'process-r1', attempts: 3 });
    await until(() => calls.length === 3);
    expect(calls.map((c) => c.attempt)).toEqual([1, 2, 3]);
    const firstDelay = calls[1].at - calls[0].at;
    const secondDelay = calls[2].at - calls[1].at;
    expect(firstDelay).toBeGreaterThanOrEqual(190);
    expect(secondDelay).toBeGreaterThanOrEqual(390); // doubled
    await until(async () => !(await q.isPending('process-r1')));
  });

  it('gives up after the last attempt and lets the same id be queued again', async () => {
    const q = queue(newPrefix(), { backoffMs: 50 });
    let calls = 0;
    await q.startWorker({
      'process-transcript': async () => {
        calls++;
        throw new Error('always broken');
      },
    });
    await q.enqueue('process-transcript', {}, { jobId: 'process-r2', attempts: 2 });
    await until(async () => calls === 2 && !(await q.isPending('process-r2')));
    await q.enqueue('process-transcript', {}, { jobId: 'process-r2', attempts: 1 });
    await until(() => calls === 3);
  });

  it('runs a job id once while it is pending, and again once it finished (reprocess)', async () => {
    const prefix = newPrefix();
    const producer = queue(prefix);
    const worker = queue(prefix);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const runs: string[] = [];
    expect(await producer.isPending('process-r3')).toBe(false);
    await producer.enqueue('process-transcript', { transcriptId: 'r3', n: 1 }, { jobId: 'process-r3' });
    await producer.enqueue('process-transcript', { transcriptId: 'r3', n: 2 }, { jobId: 'process-r3' });
    expect(await producer.isPending('process-r3')).toBe(true); // waiting
    await worker.startWorker(
      {
        'process-transcript': async (data) => {
          runs.push(String(data.n));
          await gate;
        },
      },
      { concurrency: 4 },
    );
    await until(() => runs.length === 1);
    await producer.enqueue('process-transcript', { transcriptId: 'r3', n: 3 }, { jobId: 'process-r3' });
    expect(await producer.isPending('process-r3')).toBe(true); // active
    release();
    await until(async () => !(await producer.isPending('process-r3')));
    expect(runs).toEqual(['1']);
    await producer.enqueue('process-transcript', { transcriptId: 'r3', n: 4 }, { jobId: 'process-r3' });
    await until(() => runs.length === 2);
    expect(runs).toEqual(['1', '4']);
  });

  it('counts delayed jobs as pending and accepts ids containing ":"', async () => {
    const q = queue(newPrefix());
    await q.enqueue('cleanup-public-data', {}, { jobId: 'cleanup:daily', delayMs: 60_000 });
    expect(await q.isPending('cleanup:daily')).toBe(true);
    expect(await q.isPending('cleanup-daily')).toBe(true);
    expect(await q.isPending('something-else')).toBe(false);
  });

  it('runs jobs on several workers at once up to their concurrency', async () => {
    const prefix = newPrefix();
    const a = queue(prefix);
    const b = queue(prefix);
    let running = 0;
    let peak = 0;
    const seen = new Set<string>();
    const handler = async (data: { transcriptId?: string }) => {
      running++;
      peak = Math.max(peak, running);
      seen.add(String(data.transcriptId));
      await new Promise((r) => setTimeout(r, 300));
      running--;
    };
    await a.startWorker({ 'process-transcript': handler }, { concurrency: 2 });
    await b.startWorker({ 'process-transcript': handler }, { concurrency: 2 });
    for (let i = 0; i < 8; i++) await a.enqueue('process-transcript', { transcriptId: `c${i}` }, { jobId: `process-c${i}` });
    await until(() => seen.size === 8 && running === 0);
    expect(peak).toBe(4);
  });

  it('on a graceful stop, aborts running handlers and hands their jobs to another worker at once', async () => {
    const prefix = newPrefix();
    const first = queue(prefix);
    const second = queue(prefix);
    const attempts: Array<{ worker: string; attempt: number }> = [];
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    await first.startWorker({
      'process-transcript': (_data, job) =>
        new Promise<void>((_resolve, reject) => {
          attempts.push({ worker: 'first', attempt: job.attempt });
          started();
          job.signal.addEventListener('abort', () => reject(new Error('aborted')));
        }),
    });
    await first.enqueue('process-transcript', {}, { jobId: 'process-g1' });
    await running;
    const t0 = Date.now();
    await first.close();
    await second.startWorker({
      'process-transcript': async (_data, job) => {
        attempts.push({ worker: 'second', attempt: job.attempt });
      },
    });
    await until(() => attempts.length === 2);
    expect(Date.now() - t0).toBeLessThan(3000); // no waiting for a lock to expire
    expect(attempts).toEqual([
      { worker: 'first', attempt: 1 },
      { worker: 'second', attempt: 1 }, // the interrupted run did not use up an attempt
    ]);
  });

  it('fails a job whose name has no handler without retrying it', async () => {
    const q = queue(newPrefix());
    await q.startWorker({});
    await q.enqueue('healthcheck-ping', {}, { jobId: 'ping-1', attempts: 5 });
    await until(async () => !(await q.isPending('ping-1')));
  });
});
