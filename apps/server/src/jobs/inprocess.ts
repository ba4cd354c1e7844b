// In-process job runner for the embedded configuration: a bounded-concurrency queue with retries and
// exponential backoff; a job id already waiting or running is not queued twice.
import type { EnqueueOptions, JobData, JobHandlers, JobName, JobQueue } from './queue.ts';

interface Pending {
  id: string;
  name: JobName;
  data: JobData;
  attempts: number;
  attempt: number;
}

export class InProcessJobQueue implements JobQueue {
  readonly kind = 'inprocess' as const;
  private handlers: JobHandlers = {};
  private concurrency = 1;
  private started = false;
  private readonly waiting: Pending[] = [];
  private readonly known = new Set<string>();
  private readonly running = new Map<string, Promise<void>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly abort = new AbortController();
  private counter = 0;

  constructor(private readonly log: { error: (obj: object, msg: string) => void } = console) {}

  async enqueue(name: JobName, data: JobData, opts: EnqueueOptions = {}): Promise<void> {
    const id = opts.jobId ?? `${name}:${++this.counter}`;
    if (this.known.has(id)) return;
    this.known.add(id);
    const job: Pending = { id, name, data, attempts: opts.attempts ?? 3, attempt: 1 };
    if (opts.delayMs) this.later(opts.delayMs, () => this.push(job));
    else this.push(job);
  }

  async startWorker(handlers: JobHandlers, opts: { concurrency?: number } = {}): Promise<void> {
    this.handlers = { ...this.handlers, ...handlers };
    this.concurrency = opts.concurrency ?? this.concurrency;
    this.started = true;
    this.pump();
  }

  async isPending(jobId: string): Promise<boolean> {
    return this.known.has(jobId);
  }

  async drain(): Promise<void> {
    while (this.running.size || this.waiting.length || this.timers.size) {
      await Promise.race([...this.running.values(), new Promise((r) => setTimeout(r, 20))]);
    }
  }

  async close(): Promise<void> {
    this.abort.abort();
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.waiting.length = 0;
    await Promise.allSettled([...this.running.values()]);
  }

  private later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  private push(job: Pending): void {
    if (this.abort.signal.aborted) return;
    this.waiting.push(job);
    this.pump();
  }

  private pump(): void {
    if (!this.started) return;
    while (this.running.size < this.concurrency && this.waiting.length) {
      const job = this.waiting.shift()!;
      const run = this.run(job).finally(() => {
        this.running.delete(job.id);
        this.pump();
      });
      this.running.set(job.id, run);
    }
  }

  private async run(job: Pending): Promise<void> {
    const handler = this.handlers[job.name];
    if (!handler) {
      this.log.error({ job: job.name }, 'no handler for job');
      this.known.delete(job.id);
      return;
    }
    try {
      await handler(job.data, { id: job.id, attempt: job.attempt, signal: this.abort.signal });
      this.known.delete(job.id);
    } catch (err) {
      if (job.attempt < job.attempts && !this.abort.signal.aborted) {
        const delay = Math.min(1000 * 2 ** (job.attempt - 1), 30_000);
        this.later(delay, () => this.push({ ...job, attempt: job.attempt + 1 }));
      } else {
        this.known.delete(job.id);
        this.log.error({ err, job: job.name, id: job.id }, 'job failed');
      }
    }
  }
}
