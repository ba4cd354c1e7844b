// One interface for background jobs. Without Redis an in-process runner executes them; with Redis,
// BullMQ queues are consumed by any number of worker processes.

export type JobName = 'process-transcript' | 'pipeline-stage' | 'cleanup-public-data' | 'healthcheck-ping';

export interface JobData {
  transcriptId?: string;
  [key: string]: unknown;
}

export interface JobRun {
  id: string;
  /** 1 for the first try; counts failed attempts (retries with backoff). */
  attempt: number;
  /** Aborted when the process stops gracefully: the job is handed back and resumes elsewhere. */
  signal: AbortSignal;
  /** How many times a worker died while running this job (BullMQ); 0 or absent otherwise. */
  interruptions?: number;
}

export type JobHandler = (data: JobData, job: JobRun) => Promise<void>;
export type JobHandlers = Partial<Record<JobName, JobHandler>>;

export interface EnqueueOptions {
  /** Jobs with the same id are not run twice at the same time (one pipeline per transcript). */
  jobId?: string;
  attempts?: number;
  delayMs?: number;
}

export interface JobQueue {
  readonly kind: 'inprocess' | 'bullmq';
  enqueue(name: JobName, data: JobData, opts?: EnqueueOptions): Promise<void>;
  /** Starts consuming jobs in this process. */
  startWorker(handlers: JobHandlers, opts?: { concurrency?: number }): Promise<void>;
  /** Whether a job with this id is waiting, delayed or running. */
  isPending(jobId: string): Promise<boolean>;
  /** Waits for running jobs of this process to finish (tests, graceful shutdown). */
  drain?(): Promise<void>;
  close(): Promise<void>;
}
