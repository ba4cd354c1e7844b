// Crash safety of processing. Distributed mode: a worker killed with SIGKILL while it holds a job loses
// nothing, because another worker takes the job over; with every worker dead, the next worker to start
// resumes the work. Embedded mode: a transcript left in `processing` by a process that died is resumed
// when the platform starts again.
import { spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import type { AppContext } from '../../src/context.ts';
import { openDatabase } from '../../src/db/index.ts';
import type { BullJobQueue } from '../../src/jobs/bullmq.ts';
import { enqueueProcessing, MAX_INTERRUPTIONS, processJobId } from '../../src/jobs/handlers.ts';
import { startRole } from '../../src/roles.ts';
import { LocalStorage } from '../../src/storage/local.ts';
import { audioKey, uploadKey } from '../../src/transcripts/files.ts';
import { startTestPlatform, TEST_MODE, waitFor, type TestPlatform } from './harness.ts';

/** How long each run sits between probing and encoding, so that it can be caught running. */
const STAGE_DELAY_MS = 5000;
let scratch: string;
let wav: string;

beforeAll(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'reflector-workers-'));
  wav = path.join(scratch, 'tone.wav');
  const ff = spawnSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=4', '-ac', '1', '-ar', '16000', '-y', wav]);
  if (ff.status !== 0) throw new Error(`ffmpeg failed: ${ff.stderr}`);
});

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/** A transcript row as an upload leaves it (status `uploaded`, upload in storage), created directly. */
async function seedUploadedTranscript(ctx: Pick<AppContext, 'database' | 'storage'>, status: 'uploaded' | 'processing' = 'uploaded') {
  const id = randomUUID();
  const key = uploadKey(id, 'wav');
  const { createReadStream } = await import('node:fs');
  await ctx.storage.put(key, createReadStream(wav), { contentType: 'audio/wav' });
  await ctx.database.query(
    "INSERT INTO transcript (id, name, status, source_kind, upload_key, share_mode) VALUES ($1, 'crash test', $2, 'file', $3, 'public')",
    [id, status, key],
  );
  return id;
}

async function statusOf(ctx: Pick<AppContext, 'database'>, id: string): Promise<string | undefined> {
  const rows = await ctx.database.query<{ status: string }>('SELECT status FROM transcript WHERE id = $1', [id]);
  return rows[0]?.status;
}

const alive = (w: ChildProcess) => w.exitCode === null && w.signalCode === null;

function killHard(w: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (!alive(w)) return resolve();
    w.once('exit', () => resolve());
    w.kill('SIGKILL');
  });
}

// Each mode registers only the tests that apply to it, so neither run reports skipped tests.
if (TEST_MODE === 'distributed') describe('workers (distributed): SIGKILL while holding a job', () => {
  let platform: TestPlatform;
  let queue: BullJobQueue;

  /**
   * The worker process that runs the transcript's first pipeline stage now (the one the test delay
   * holds open), from the worker name BullMQ records.
   */
  async function holder(id: string): Promise<{ pid: number; worker: ChildProcess } | undefined> {
    const [run] = await platform.ctx.database.query<{ id: string }>("SELECT id FROM pipeline_run WHERE transcript_id = $1 AND status = 'running'", [id]);
    if (!run) return undefined;
    const job = await queue.queue.getJob(`stage-${run.id}-prepare`);
    if (!job || (await job.getState()) !== 'active' || !job.processedBy) return undefined;
    const pid = Number(job.processedBy.split('-').pop());
    const worker = platform.workers.find((w) => w.pid === pid && alive(w));
    return worker ? { pid, worker } : undefined;
  }

  beforeAll(async () => {
    platform = await startTestPlatform({
      workers: 2,
      env: { JOB_LOCK_DURATION_MS: '3000', JOB_STALLED_INTERVAL_MS: '1000', REFLECTOR_TEST_STAGE_DELAY_MS: String(STAGE_DELAY_MS) },
    });
    queue = platform.ctx.jobs as BullJobQueue;
    expect(queue.kind).toBe('bullmq');
  });

  afterAll(async () => {
    await platform?.stop();
  });

  it('finishes the job on the other worker and the transcript ends', async () => {
    const { ctx } = platform;
    const id = await seedUploadedTranscript(ctx);
    expect(await enqueueProcessing(ctx, id)).toBe(true);
    expect(await enqueueProcessing(ctx, id)).toBe(false); // already queued: one run per transcript

    const first = await waitFor(
      async () => (await statusOf(ctx, id)) === 'processing' && holder(id),
      60_000,
      'a worker to start processing',
    );
    const killedAt = Date.now();
    await killHard(first.worker);

    const second = await waitFor(() => holder(id), 30_000, 'another worker to take the job over');
    const takeoverMs = Date.now() - killedAt;
    expect(second.pid).not.toBe(first.pid);
    await waitFor(async () => (await statusOf(ctx, id)) === 'ended', 60_000, 'the transcript to end');
    const endedMs = Date.now() - killedAt;
    console.log(`worker ${first.pid} killed; job taken over by ${second.pid} after ${takeoverMs} ms; transcript ended ${endedMs} ms after the kill`);

    expect(takeoverMs).toBeLessThan(10_000);
    expect((await ctx.storage.stat(audioKey(id)))?.size).toBeGreaterThan(1000);
    const stored = await ctx.database.query<{ events: Array<{ event: string; data: { value?: string } }> }>('SELECT events FROM transcript WHERE id = $1', [id]);
    expect(stored[0].events.filter((e) => e.event === 'STATUS').map((e) => e.data.value).at(-1)).toBe('ended');
    expect(await queue.isPending(processJobId(id))).toBe(false);
  });

  it('gives up visibly on a job whose worker dies every time', async () => {
    const { ctx } = platform;
    const id = await seedUploadedTranscript(ctx);
    await enqueueProcessing(ctx, id);
    for (let kill = 1; kill <= MAX_INTERRUPTIONS; kill++) {
      // Keep one spare worker alive so the job always has somewhere to go.
      while (platform.workers.filter(alive).length < 2) await platform.spawnWorker();
      const h = await waitFor(async () => (await statusOf(ctx, id)) === 'processing' && holder(id), 60_000, `run ${kill} to start`);
      await killHard(h.worker);
    }
    await waitFor(async () => (await statusOf(ctx, id)) === 'error', 60_000, 'the transcript to fail');
    const [row] = await ctx.database.query<{ error: string }>('SELECT error FROM transcript WHERE id = $1', [id]);
    expect(row.error).toMatch(/worker running it died/);
    await waitFor(async () => !(await queue.isPending(processJobId(id))), 10_000, 'the job to be finished');
  });

  it('with every worker killed, a newly started worker resumes the work', async () => {
    const { ctx } = platform;
    // One transcript whose job is running when the workers die, one whose job was lost altogether
    // (left in `processing` with nothing queued, as after losing Redis).
    const running = await seedUploadedTranscript(ctx);
    await enqueueProcessing(ctx, running);
    await waitFor(async () => (await statusOf(ctx, running)) === 'processing' && holder(running), 60_000, 'a worker to start processing');
    const orphan = await seedUploadedTranscript(ctx, 'processing');
    expect(await queue.isPending(processJobId(orphan))).toBe(false);

    await Promise.all(platform.workers.map(killHard));
    expect(platform.workers.some(alive)).toBe(false);
    expect(await statusOf(ctx, running)).toBe('processing');

    const startedAt = Date.now();
    await platform.spawnWorker();
    await waitFor(
      async () => (await statusOf(ctx, running)) === 'ended' && (await statusOf(ctx, orphan)) === 'ended',
      90_000,
      'both transcripts to end on the new worker',
    );
    console.log(`all workers killed; a new worker finished both transcripts ${Date.now() - startedAt} ms after it was started`);
    // Nothing is left behind: every transcript of this platform ends.
    await waitFor(
      async () => (await ctx.database.query("SELECT id FROM transcript WHERE status IN ('processing', 'uploaded')")).length === 0,
      60_000,
      'no transcript to be left processing',
    );
  });
});

if (TEST_MODE === 'embedded') describe('workers (embedded): interrupted processing resumes at start', () => {
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'reflector-resume-'));
  });

  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('picks up transcripts left in processing or uploaded by a process that died', async () => {
    const config = loadConfig({ DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', SECRET_KEY: 'test-secret' });
    // What a process that died mid-run leaves behind: rows in `processing` / `uploaded`, their uploads, no job.
    const database = await openDatabase({ dataDir: config.dataDir, migrate: true });
    const storage = new LocalStorage(config.dataDir, config.BASE_URL, config.SECRET_KEY);
    const interrupted = await seedUploadedTranscript({ database, storage }, 'processing');
    const neverStarted = await seedUploadedTranscript({ database, storage }, 'uploaded');
    await database.close();

    const platform = await startRole('all', config);
    try {
      const { ctx } = platform;
      await waitFor(
        async () => (await statusOf(ctx, interrupted)) === 'ended' && (await statusOf(ctx, neverStarted)) === 'ended',
        60_000,
        'the interrupted transcripts to end',
      );
      expect((await ctx.storage.stat(audioKey(interrupted)))?.size).toBeGreaterThan(1000);
      expect((await ctx.storage.stat(audioKey(neverStarted)))?.size).toBeGreaterThan(1000);
    } finally {
      await platform.stop();
    }
  });
});
