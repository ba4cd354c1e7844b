// Background jobs on Redis with BullMQ, consumed by any number of worker processes.
//
// One queue ("jobs", keys under REDIS_PREFIX) carries every job name. A custom job id makes a job unique
// while it waits, is delayed or runs: adding the same id again is a no-op, which gives "at most one
// pipeline run per transcript". Finished jobs (done or finally failed) are removed so the same id can be
// queued again (reprocess). Failed attempts retry with exponential backoff.
//
// Crash safety: a worker holds a lock on each running job and renews it every lockDuration / 2. When a
// worker dies (SIGKILL, power loss), its lock expires and the stalled-job check of any other worker puts
// the job back in the queue: a job is taken over within about lockDuration + stalledInterval.
// On a graceful stop, running handlers get an abort signal and their jobs go straight back to the queue.
import os from 'node:os';
import { Queue, UnrecoverableError, WaitingError, Worker, type Job } from 'bullmq';
import type { EnqueueOptions, JobData, JobHandlers, JobName, JobQueue } from './queue.ts';

interface Log {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface BullJobQueueOptions {
  /** Namespace of the Redis keys (REDIS_PREFIX). */
  prefix?: string;
  queueName?: string;
  /** How long a job's lock lasts without renewal (JOB_LOCK_DURATION_MS). */
  lockDurationMs?: number;
  /** How often workers look for jobs whose lock expired (JOB_STALLED_INTERVAL_MS). */
  stalledIntervalMs?: number;
  /** Delay before the first retry; doubles with each further attempt. */
  backoffMs?: number;
  /** How long a graceful stop waits for handlers that ignore the abort signal. */
  closeTimeoutMs?: number;
}

const PENDING_STATES = new Set(['waiting', 'delayed', 'active', 'prioritized', 'waiting-children']);

/** BullMQ reserves ':' in custom job ids (it separates key parts). */
export const bullJobId = (id: string) => id.replace(/:/g, '-');

export class BullJobQueue implements JobQueue {
  readonly kind = 'bullmq' as const;
  readonly queue: Queue;
  /** Name of this process's worker, recorded on the jobs it takes (job.processedBy). */
  readonly workerName = `worker-${os.hostname()}-${process.pid}`;
  private worker?: Worker;
  private readonly opts: Required<BullJobQueueOptions>;
  private readonly shutdown = new AbortController();
  private readonly running = new Set<Promise<unknown>>();
  private counter = 0;

  constructor(
    private readonly redisUrl: string,
    private readonly log: Log = console,
    opts: BullJobQueueOptions = {},
  ) {
    this.opts = {
      prefix: opts.prefix ?? 'reflector',
      queueName: opts.queueName ?? 'jobs',
      lockDurationMs: opts.lockDurationMs ?? 20_000,
      stalledIntervalMs: opts.stalledIntervalMs ?? 10_000,
      backoffMs: opts.backoffMs ?? 1000,
      closeTimeoutMs: opts.closeTimeoutMs ?? 30_000,
    };
    this.queue = new Queue(this.opts.queueName, {
      // Enqueueing fails after a few retries instead of hanging when Redis is down.
      connection: { url: redisUrl, maxRetriesPerRequest: 3, connectionName: `reflector-queue-${process.pid}` },
      prefix: this.opts.prefix,
    });
    this.queue.on('error', (err) => this.log.warn({ err }, 'job queue connection problem'));
  }

  async enqueue(name: JobName, data: JobData, opts: EnqueueOptions = {}): Promise<void> {
    await this.queue.add(name, data, {
      jobId: bullJobId(opts.jobId ?? `${name}-${process.pid}-${Date.now()}-${++this.counter}`),
      attempts: Math.max(1, opts.attempts ?? 3),
      backoff: { type: 'exponential', delay: this.opts.backoffMs },
      delay: opts.delayMs,
      removeOnComplete: true,
      removeOnFail: true,
    });
  }

  async isPending(jobId: string): Promise<boolean> {
    const state = await this.queue.getJobState(bullJobId(jobId));
    return PENDING_STATES.has(state);
  }

  async startWorker(handlers: JobHandlers, opts: { concurrency?: number } = {}): Promise<void> {
    if (this.worker) throw new Error('a worker is already running in this process');
    const worker = new Worker(this.opts.queueName, (job, token, signal) => this.process(handlers, job, token, signal), {
      connection: { url: this.redisUrl, maxRetriesPerRequest: null, connectionName: `reflector-worker-${process.pid}` },
      prefix: this.opts.prefix,
      name: this.workerName,
      concurrency: opts.concurrency ?? 1,
      lockDuration: this.opts.lockDurationMs,
      stalledInterval: this.opts.stalledIntervalMs,
      // Jobs that lost their worker always go back to the queue; handlers see how often that happened
      // (JobRun.interruptions) and decide when to give up, so the failure is recorded where users see it.
      maxStalledCount: 1_000_000,
    });
    worker.on('error', (err) => this.log.warn({ err }, 'job worker connection problem'));
    worker.on('stalled', (jobId) => this.log.warn({ jobId }, 'job lost its worker; queued again'));
    worker.on('failed', (job, err) => {
      if (!job) return;
      const final = job.attemptsMade >= (job.opts.attempts ?? 1) || err instanceof UnrecoverableError;
      if (final) this.log.error({ err, job: job.name, id: job.id }, 'job failed');
      else this.log.warn({ err, job: job.name, id: job.id, attempt: job.attemptsMade }, 'job attempt failed; retrying');
    });
    this.worker = worker;
    await worker.waitUntilReady();
  }

  private async process(handlers: JobHandlers, job: Job, token: string | undefined, signal: AbortSignal | undefined): Promise<void> {
    const handler = handlers[job.name as JobName];
    if (!handler) throw new UnrecoverableError(`no handler for job "${job.name}"`);
    const run = handler(job.data as JobData, {
      id: job.id ?? '',
      attempt: job.attemptsMade + 1,
      signal: signal ? AbortSignal.any([this.shutdown.signal, signal]) : this.shutdown.signal,
      interruptions: job.stalledCounter ?? 0,
    });
    this.running.add(run);
    try {
      await run;
    } catch (err) {
      if (this.shutdown.signal.aborted && token) {
        // Stopping: hand the job back without counting an attempt, so another worker starts it now.
        await job.moveToWait(token);
        throw new WaitingError();
      }
      throw err;
    } finally {
      this.running.delete(run);
    }
  }

  async drain(): Promise<void> {
    while (this.running.size) await Promise.allSettled([...this.running]);
  }

  async close(): Promise<void> {
    this.shutdown.abort();
    if (this.worker) {
      const worker = this.worker;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), this.opts.closeTimeoutMs)));
      const outcome = await Promise.race([worker.close(), timeout]);
      clearTimeout(timer);
      if (outcome === 'timeout') {
        this.log.warn({ running: this.running.size }, 'jobs did not stop in time; their locks will expire and another worker takes them');
        await worker.disconnect().catch(() => {});
      }
    }
    await this.queue.close().catch((err) => this.log.warn({ err }, 'closing the job queue failed'));
  }
}
